package bind

import (
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxIndirections bounds how many pointers and Value methods are followed
// for one argument, so that a cyclic pointer or a Valuer returning itself
// yields an error instead of endless recursion.
const maxIndirections = 32

// timestampLayout is the text of a TIMESTAMP literal: nanoseconds, trailing
// zeros trimmed.
const timestampLayout = "2006-01-02 15:04:05.999999999"

var (
	errLineBreak = errors.New("string contains a line break (\\n or \\r), and DeltaStream rejects string literals that span lines; " +
		"send multi-line text such as keys, certificates or code as an attachment (deltastream.WithAttachment) and refer to it by its file name")
	errInvalidUTF8 = errors.New("string is not valid UTF-8; pass binary data as []byte")
	errNUL         = errors.New("string contains a NUL character, which DeltaStream string literals cannot hold; pass binary data as []byte")
)

// Value renders v as a single SQL literal, without surrounding spaces:
//
//   - nil, a nil pointer, a nil []byte and a nil json.RawMessage: NULL
//   - bool: TRUE or FALSE
//   - every signed and unsigned integer type: decimal, e.g. -42. SQL has no
//     negative number tokens: a negative number is a unary minus and the
//     number, which is what it means in any expression position (after an
//     operand, as in the invalid template "SELECT a ?", it would read as a
//     subtraction).
//   - float32, float64: the shortest decimal that reads back as the same
//     value, always with an exponent (1.5E0, 1E21, -2.5E-7) so that
//     DeltaStream types it as DOUBLE rather than DECIMAL; float32 values use
//     the shortest decimal for float32. NaN and ±Inf are errors.
//   - string: single-quoted with ' doubled. A string containing \n or \r is
//     an error, since the service rejects literals spanning lines (send such
//     text as an attachment); so is invalid UTF-8 and NUL, which the service
//     cannot hold in a literal (use []byte).
//   - []byte: X'hex', lower-case hex digits
//   - time.Time: TIMESTAMP 'YYYY-MM-DD hh:mm:ss.fffffffff', converted to UTC
//     (the UTC wall clock; nanoseconds, trailing zeros trimmed). Years outside
//     0000..9999 are errors.
//   - json.RawMessage: a string literal of its text
//   - driver.Valuer: the literal of what its Value method returns; a nil
//     pointer whose type implements driver.Valuer is NULL without calling it
//   - pointers: the literal of what they point to
//   - other types whose kind is bool, an integer, a float, string or []byte
//     (type Status string): by their kind
//
// Anything else is an error naming the Go type.
func Value(v any) (string, error) {
	n, err := normalize(v, 0)
	if err != nil {
		return "", fmt.Errorf("deltastream: %w", err)
	}
	var b strings.Builder
	if err := appendLiteral(&b, n); err != nil {
		return "", fmt.Errorf("deltastream: %w", err)
	}
	return b.String(), nil
}

// ConvertValue checks that Render can bind v and returns the value to keep in
// its place, for a driver.NamedValueChecker. The result is one of nil, bool,
// int64, uint64 (only above math.MaxInt64), float32, float64, string, []byte
// or time.Time, with Valuers called, pointers followed and named types
// converted; it renders exactly as v would. Errors are those Value returns.
func ConvertValue(v any) (driver.Value, error) {
	n, err := normalize(v, 0)
	if err != nil {
		return nil, fmt.Errorf("deltastream: %w", err)
	}
	return n, nil
}

// QuoteString returns s as a single-quoted SQL string literal with every '
// doubled. It fails where Value fails for a string: on a line break (\n or
// \r), on invalid UTF-8 and on NUL.
func QuoteString(s string) (string, error) {
	if err := checkString(s); err != nil {
		return "", fmt.Errorf("deltastream: %w", err)
	}
	var b strings.Builder
	b.Grow(len(s) + 2 + strings.Count(s, "'"))
	appendString(&b, s)
	return b.String(), nil
}

// QuoteIdentifier returns s as a double-quoted SQL identifier with every "
// doubled, so that it keeps its case and may hold any character. It never
// fails; the service judges whether the name is acceptable.
func QuoteIdentifier(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// normalize resolves v to one of the types appendLiteral renders (nil, bool,
// int64, uint64, float32, float64, string, []byte, time.Time) and checks that
// it can be rendered. depth counts the pointers and Valuers followed so far.
func normalize(v any, depth int) (any, error) {
	switch x := v.(type) {
	case nil, bool, int64:
		return v, nil
	case string:
		return v, checkString(x)
	case float64:
		return v, checkFloat(x)
	case []byte:
		if x == nil {
			return nil, nil
		}
		return v, nil
	case time.Time:
		return v, checkTime(x)
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint64:
		return fromUint(x), nil
	case float32:
		return v, checkFloat(float64(x))
	case json.RawMessage:
		if x == nil {
			return nil, nil
		}
		s := string(x)
		if err := checkString(s); err != nil {
			return nil, fmt.Errorf("json.RawMessage: %w (json.Compact removes line breaks from JSON)", err)
		}
		return s, nil
	case driver.Valuer:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, nil
		}
		if depth >= maxIndirections {
			return nil, fmt.Errorf("type %T: Value methods and pointers nest more than %d deep", v, maxIndirections)
		}
		r, err := x.Value()
		if err != nil {
			return nil, fmt.Errorf("type %T: Value: %w", v, err)
		}
		return normalize(r, depth+1)
	}
	return normalizeKind(v, depth)
}

// normalizeKind is normalize for types that are not matched directly: other
// integer types, named types of a basic kind, and pointers.
func normalizeKind(v any, depth int) (any, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		if depth >= maxIndirections {
			return nil, fmt.Errorf("type %T: pointers nest more than %d deep", v, maxIndirections)
		}
		return normalize(rv.Elem().Interface(), depth+1)
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fromUint(rv.Uint()), nil
	case reflect.Float32:
		f := float32(rv.Float())
		return f, checkFloat(float64(f))
	case reflect.Float64:
		f := rv.Float()
		return f, checkFloat(f)
	case reflect.String:
		s := rv.String()
		return s, checkString(s)
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			if rv.IsNil() {
				return nil, nil
			}
			return rv.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("unsupported type %T; supported are nil, bool, integers, floats, string, []byte, time.Time, "+
		"json.RawMessage, driver.Valuer, pointers to these and named types of these kinds", v)
}

// fromUint returns u as an int64 when it fits, so that common values are a
// standard driver.Value.
func fromUint(u uint64) any {
	if u <= math.MaxInt64 {
		return int64(u)
	}
	return u
}

// checkString reports why s cannot be a string literal, or nil.
func checkString(s string) error {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n' || c == '\r':
			return errLineBreak
		case c == 0:
			return errNUL
		case c >= utf8.RuneSelf:
			if !utf8.ValidString(s[i:]) {
				return errInvalidUTF8
			}
			return checkASCIIControls(s[i:])
		}
	}
	return nil
}

// checkASCIIControls is the rest of checkString once s is known to be valid
// UTF-8.
func checkASCIIControls(s string) error {
	if i := strings.IndexAny(s, "\n\r\x00"); i >= 0 {
		if s[i] == 0 {
			return errNUL
		}
		return errLineBreak
	}
	return nil
}

// checkFloat rejects values that have no SQL literal.
func checkFloat(f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("float %v has no SQL literal", f)
	}
	return nil
}

// checkTime rejects times a TIMESTAMP literal cannot hold.
func checkTime(t time.Time) error {
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("time %s: year %d is outside the TIMESTAMP range 0000..9999", t.Format(time.RFC3339Nano), y)
	}
	return nil
}

// appendLiteral writes the literal of v, a value returned by normalize.
func appendLiteral(b *strings.Builder, v any) error {
	var buf [40]byte
	switch x := v.(type) {
	case nil:
		b.WriteString("NULL")
	case bool:
		if x {
			b.WriteString("TRUE")
		} else {
			b.WriteString("FALSE")
		}
	case int64:
		b.Write(strconv.AppendInt(buf[:0], x, 10))
	case uint64:
		b.Write(strconv.AppendUint(buf[:0], x, 10))
	case float64:
		appendFloat(b, buf[:0], x, 64)
	case float32:
		appendFloat(b, buf[:0], float64(x), 32)
	case string:
		appendString(b, x)
	case []byte:
		appendBytes(b, x)
	case time.Time:
		b.WriteString("TIMESTAMP '")
		b.Write(x.UTC().AppendFormat(buf[:0], timestampLayout))
		b.WriteByte('\'')
	default:
		// Unreachable: normalize returns only the types above.
		return fmt.Errorf("unsupported type %T", v)
	}
	return nil
}

// appendFloat writes f with an exponent: strconv's shortest 'e' form
// ("1.5e+00") rewritten as a SQL approximate numeric literal ("1.5E0").
func appendFloat(b *strings.Builder, buf []byte, f float64, bits int) {
	s := strconv.AppendFloat(buf, f, 'e', -1, bits)
	e := 0
	for e < len(s) && s[e] != 'e' {
		e++
	}
	b.Write(s[:e])
	b.WriteByte('E')
	exp := s[e+1:]
	if exp[0] == '-' {
		b.WriteByte('-')
	}
	exp = exp[1:] // strconv always writes a sign
	for len(exp) > 1 && exp[0] == '0' {
		exp = exp[1:]
	}
	b.Write(exp)
}

// appendString writes s single-quoted with ' doubled.
func appendString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		b.WriteString(s[:i+1])
		b.WriteByte('\'')
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte('\'')
}

// appendBytes writes p as X'hex'.
func appendBytes(b *strings.Builder, p []byte) {
	var buf [128]byte
	b.WriteString("X'")
	for len(p) > 0 {
		n := min(len(p), len(buf)/2)
		hex.Encode(buf[:], p[:n])
		b.Write(buf[:2*n])
		p = p[n:]
	}
	b.WriteByte('\'')
}
