// Package jsontest holds checks on JSON text shared by the tests of the
// servers in this module (internal/server, dstest): the order of the keys
// the service writes. It is used by tests only.
package jsontest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// ObjectKeys returns the keys of every JSON object in b, in the order
// they appear, the objects listed in the order they close.
func ObjectKeys(b []byte) ([][]string, error) {
	var out [][]string
	d := json.NewDecoder(bytes.NewReader(b))
	var value func() error
	value = func() error {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		delim, ok := tok.(json.Delim)
		if !ok {
			return nil
		}
		var keys []string
		for d.More() {
			if delim == '{' {
				k, err := d.Token()
				if err != nil {
					return err
				}
				keys = append(keys, k.(string))
			}
			if err := value(); err != nil {
				return err
			}
		}
		if _, err := d.Token(); err != nil {
			return err
		}
		if delim == '{' {
			out = append(out, keys)
		}
		return nil
	}
	if err := value(); err != nil {
		return nil, fmt.Errorf("jsontest: %w in %s", err, b)
	}
	return out, nil
}

// CheckServiceOrder returns an error naming the first object of b whose
// keys are not in the service's order (byte order, at every level).
func CheckServiceOrder(b []byte) error {
	objs, err := ObjectKeys(b)
	if err != nil {
		return err
	}
	for _, keys := range objs {
		if !slices.IsSorted(keys) {
			return fmt.Errorf("keys %q are not in the service's order in %s", keys, b)
		}
	}
	return nil
}
