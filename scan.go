package deltastream

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSON scans a column whose values are JSON text (ARRAY, MAP, MULTISET,
// STRUCT and ROW columns) into a Go value of type T with encoding/json:
//
//	var tags deltastream.JSON[[]string] // ARRAY<VARCHAR>
//	if err := rows.Scan(&tags); err != nil {
//		return err
//	}
//	if tags.Valid {
//		fmt.Println(len(tags.V), "tags:", tags.V)
//	}
//
// A MAP<VARCHAR, VARCHAR> column scans into JSON[map[string]string], and a
// STRUCT into JSON of a Go struct whose fields match the field names (see
// encoding/json for the matching rules); JSON[json.RawMessage] keeps the
// text. Valid is false when the column is NULL.
//
// JSON also implements driver.Valuer, so it can be passed as a statement
// argument: it is rendered as a string literal holding the JSON text of V,
// or NULL when Valid is false.
//
// A JSON value is a plain struct: it is not safe for concurrent use while
// Scan writes it, and may be copied freely otherwise.
type JSON[T any] struct {
	V     T    // the decoded value; the zero value when !Valid
	Valid bool // true when the column was not NULL
}

// Scan implements sql.Scanner. src must be JSON text as a string or
// []byte, or nil for NULL. V is reset to its zero value before decoding,
// so nothing from a previous row survives. On error Valid is false and V
// is the zero value; the error wraps encoding/json's.
func (j *JSON[T]) Scan(src any) error {
	var zero T
	j.V, j.Valid = zero, false
	var data []byte
	switch s := src.(type) {
	case nil:
		return nil
	case []byte:
		data = s
	case string:
		data = []byte(s)
	default:
		return fmt.Errorf("deltastream: cannot scan %T into JSON[%T]: want the JSON text of an ARRAY, MAP or STRUCT column", src, zero)
	}
	if err := json.Unmarshal(data, &j.V); err != nil {
		j.V = zero
		return fmt.Errorf("deltastream: cannot scan JSON text into JSON[%T]: %w", zero, err)
	}
	j.Valid = true
	return nil
}

// Value implements driver.Valuer: the JSON text of V as a string, or nil
// when Valid is false.
func (j JSON[T]) Value() (driver.Value, error) {
	if !j.Valid {
		return nil, nil
	}
	b, err := json.Marshal(j.V)
	if err != nil {
		return nil, fmt.Errorf("deltastream: cannot encode JSON[%T]: %w", j.V, err)
	}
	return string(b), nil
}
