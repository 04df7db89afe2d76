package render

import (
	"encoding/json"
	"unicode/utf8"
)

// writeJSON writes JSON (one array of objects, one object per line) or
// JSON lines (one object per line, no array). Keys are the column names
// in column order. Numeric columns are JSON numbers (DECIMAL text as it
// came, NaN and infinities as strings), ARRAY/MAP/STRUCT values are
// embedded as the JSON they are, times are RFC 3339 strings, bytes base64
// strings and NULL is null.
func writeJSON(out *output, rd *reader, o *Options) error {
	array := o.Format == JSON
	keys := make([][]byte, len(rd.cols))
	for i, c := range rd.cols {
		keys[i] = append(appendJSONString(nil, []byte(c.name)), ':')
	}
	var line, cell []byte
	first := true
	for {
		ok, err := rd.next()
		if !ok {
			if array {
				end := "]\n"
				if first {
					end = "[]\n"
				}
				if _, werr := out.Write([]byte(end)); err == nil {
					err = werr
				}
			}
			return err
		}
		line = line[:0]
		if array {
			if first {
				line = append(line, '[')
			} else {
				line = append(line, ',')
			}
		}
		first = false
		line = append(line, '{')
		for i, v := range rd.vals {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, keys[i]...)
			line, cell = appendJSONValue(line, cell, v, rd.cols[i].kind)
		}
		line = append(line, '}', '\n')
		if _, err := out.Write(line); err != nil {
			return err
		}
	}
}

// appendJSONValue appends v as JSON; cell is scratch space, returned for reuse.
func appendJSONValue(dst, cell []byte, v any, k kind) ([]byte, []byte) {
	if v == nil {
		return append(dst, "null"...), cell
	}
	cell = appendValue(cell[:0], v, k, true)
	switch v.(type) {
	case int64, int, int32, uint64, bool:
		return append(dst, cell...), cell
	case float64, float32:
		if isFiniteFloat(v) {
			return append(dst, cell...), cell
		}
	case string:
		if (k == kDecimal || k == kInt || k == kFloat) && isJSONNumber(cell) {
			return append(dst, cell...), cell
		}
		if k == kJSON && json.Valid(cell) {
			return append(dst, cell...), cell
		}
	}
	return appendJSONString(dst, cell), cell
}

// isJSONNumber reports whether b is a number in JSON's grammar.
func isJSONNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && b[start] == '0') {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Control characters (C1
// included, so that a terminal shows them inertly) are escaped, invalid
// UTF-8 becomes U+FFFD.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf && c != 0x7f {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
