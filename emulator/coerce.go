package emulator

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/deltastream-go/deltastream/internal/types"
)

// SQL states of values that do not fit their column.
const (
	stateStringTooLong   = "22001"
	stateInvalidDatetime = "22007"
	stateTypeMismatch    = "42804"
	stateUndefinedColumn = "42703"
)

// coerce checks a VALUES expression against a column type and returns the
// value to store (see values.go), or an error with the SQL state of the
// mismatch. loc is the session zone for TIMESTAMP_LTZ text without zone.
func coerce(t *types.Type, e expr, loc *time.Location, colName string) (any, error) {
	v, err := coerceValue(t, e, loc)
	if err != nil {
		if se, ok := err.(*sqlError); ok && se.state != stateUnsupported {
			se.msg = "column " + quoteText(colName) + ": " + se.msg
		}
	}
	return v, err
}

func coerceValue(t *types.Type, e expr, loc *time.Location) (any, error) {
	if c, ok := e.(*castExpr); ok {
		if ct := parseType(c.typ); ct.String() == t.String() || ct.Kind() == t.Kind() {
			return coerceValue(t, c.x, loc)
		}
		return nil, unsupported("CAST to a type other than the column's in VALUES")
	}
	if c, ok := e.(*ctorExpr); ok {
		return coerceCtor(t, c, loc)
	}
	if c, ok := e.(*callExpr); ok && (c.name == "row" || c.name == "struct") {
		return coerceRow(t, c, loc)
	}
	lit, ok := e.(*literal)
	if !ok {
		return nil, unsupported("an expression other than a literal in VALUES")
	}
	if lit.kind == litNull {
		return nil, nil
	}
	mismatch := func() error {
		return errorf(stateTypeMismatch, "%s cannot be stored in a %s column", describeLit(lit), t.String())
	}
	switch t.Kind() {
	case types.KindTinyInt, types.KindSmallInt, types.KindInteger, types.KindBigInt:
		if lit.kind != litNumber {
			return nil, mismatch()
		}
		n, err := strconv.ParseInt(lit.text, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, errorf(stateOutOfRange, "%s is out of range for %s", lit.text, t.String())
			}
			return nil, errorf(stateTypeMismatch, "%s is not an integer, as %s needs", lit.text, t.String())
		}
		if lo, hi := intRange(t.Kind()); n < lo || n > hi {
			return nil, errorf(stateOutOfRange, "%s is out of range for %s (%d to %d)", lit.text, t.String(), lo, hi)
		}
		return n, nil
	case types.KindFloat, types.KindDouble:
		if lit.kind != litNumber {
			return nil, mismatch()
		}
		bits := 64
		if t.Kind() == types.KindFloat {
			bits = 32
		}
		f, err := strconv.ParseFloat(lit.text, bits)
		if err != nil {
			return nil, errorf(stateOutOfRange, "%s is out of range for %s", lit.text, t.String())
		}
		return f, nil
	case types.KindDecimal:
		if lit.kind != litNumber {
			return nil, mismatch()
		}
		return coerceDecimal(t, lit.text)
	case types.KindBoolean:
		if lit.kind != litBool {
			return nil, mismatch()
		}
		if lit.text == "true" {
			return int64(1), nil
		}
		return int64(0), nil
	case types.KindChar, types.KindVarchar:
		if lit.kind != litString {
			return nil, mismatch()
		}
		if n, ok := t.Length(); ok && int64(utf8.RuneCountInString(lit.text)) > n {
			return nil, errorf(stateStringTooLong, "the value has %d characters; %s holds at most %d", utf8.RuneCountInString(lit.text), t.String(), n)
		}
		return lit.text, nil
	case types.KindBinary, types.KindVarbinary:
		if lit.kind != litString {
			return nil, mismatch()
		}
		if n, ok := t.Length(); ok && int64(len(lit.text)) > n {
			return nil, errorf(stateStringTooLong, "the value has %d bytes; %s holds at most %d", len(lit.text), t.String(), n)
		}
		return []byte(lit.text), nil
	case types.KindDate, types.KindTime, types.KindTimestamp, types.KindTimestampLTZ:
		if lit.kind != litString && lit.kind != litTyped {
			return nil, mismatch()
		}
		return coerceTime(t, lit, loc)
	case types.KindArray, types.KindMap, types.KindStruct:
		return nil, errorf(stateTypeMismatch, "%s cannot be stored in a %s column; write ARRAY[...], MAP[k, v, ...] or ROW(...)", describeLit(lit), t.String())
	}
	return nil, unsupported("values of type " + t.String())
}

func describeLit(l *literal) string {
	switch l.kind {
	case litString:
		return "the string " + quoteText(l.text)
	case litNumber:
		return "the number " + l.text
	case litBool:
		return "the boolean " + l.text
	case litTyped:
		return l.typ + " " + quoteText(l.text)
	}
	return "NULL"
}

// coerceDecimal rounds a number to the scale of t (half up) and checks
// its precision.
func coerceDecimal(t *types.Type, text string) (any, error) {
	p, s, _ := t.PrecisionScale()
	if f, ok := plainDecimal(text, p, s); ok {
		return f, nil
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, errorf(stateTypeMismatch, "%s is not a number", text)
	}
	str := roundRat(r, int(s))
	digits := strings.TrimLeft(strings.Map(func(r rune) rune {
		if r == '-' || r == '.' {
			return -1
		}
		return r
	}, str), "0")
	intDigits := strings.TrimLeft(strings.TrimPrefix(strings.SplitN(str, ".", 2)[0], "-"), "0")
	if int64(len(intDigits)) > p-s {
		return nil, errorf(stateOutOfRange, "%s does not fit %s (at most %d digits before the point)", text, t.String(), p-s)
	}
	if len(digits) > maxDecimalDigits {
		return nil, unsupported("a DECIMAL value with more than 15 significant digits (the emulator computes DECIMAL in double precision)")
	}
	f, _ := strconv.ParseFloat(str, 64)
	return f, nil
}

// roundRat formats r with s fraction digits, rounding half away from zero.
func roundRat(r *big.Rat, s int) string {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(s)), nil)
	n := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	half := big.NewRat(1, 2)
	if n.Sign() < 0 {
		n.Sub(n, half)
	} else {
		n.Add(n, half)
	}
	q := new(big.Int).Quo(n.Num(), n.Denom()) // truncates toward zero
	neg := q.Sign() < 0
	digits := new(big.Int).Abs(q).String()
	if s > 0 {
		if len(digits) <= s {
			digits = strings.Repeat("0", s-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-s] + "." + digits[len(digits)-s:]
	}
	if neg {
		digits = "-" + digits
	}
	return digits
}

// Accepted input layouts of date and time literals.
var (
	timeLayouts      = []string{"15:04:05.999999999", "15:04"}
	timestampLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"}
	zoneLayouts      = []string{"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999 MST"}
)

// coerceTime parses a date/time literal into its stored text.
func coerceTime(t *types.Type, lit *literal, loc *time.Location) (any, error) {
	s := strings.TrimSpace(lit.text)
	bad := func() error {
		return errorf(stateInvalidDatetime, "%s is not a valid %s value; write for example '2024-01-31 13:45:00.123'", quoteText(lit.text), t.String())
	}
	switch t.Kind() {
	case types.KindDate:
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return nil, bad()
		}
		return d.Format(storedDate), nil
	case types.KindTime:
		for _, l := range timeLayouts {
			if d, err := time.Parse(l, s); err == nil {
				return d.Format(storedTime), nil
			}
		}
		return nil, bad()
	}
	if t.Kind() == types.KindTimestampLTZ {
		for _, l := range zoneLayouts {
			if d, err := time.Parse(l, s); err == nil {
				return storedNow(d), nil
			}
		}
		if s2, ok := strings.CutSuffix(s, "Z"); ok {
			s, loc = s2, time.UTC
		}
	}
	for _, l := range timestampLayouts {
		if d, err := time.ParseInLocation(l, s, loc); err == nil {
			if t.Kind() == types.KindTimestamp {
				return d.Format(storedTimestamp), nil
			}
			return storedNow(d), nil
		}
	}
	return nil, bad()
}

// coerceCtor stores ARRAY[...] and MAP[...] as their JSON text.
func coerceCtor(t *types.Type, c *ctorExpr, loc *time.Location) (any, error) {
	var b strings.Builder
	switch {
	case c.kind == "array" && t.Kind() == types.KindArray && t.Elem() != nil:
		b.WriteByte('[')
		for i, e := range c.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSONValue(&b, t.Elem(), e, loc); err != nil {
				return nil, err
			}
		}
		b.WriteByte(']')
	case c.kind == "map" && t.Kind() == types.KindMap && t.Key() != nil:
		if len(c.elems)%2 != 0 {
			return nil, errorf(stateSyntax, "MAP[...] needs key, value pairs")
		}
		b.WriteByte('{')
		for i := 0; i < len(c.elems); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			k, err := coerceValue(t.Key(), c.elems[i], loc)
			if err != nil {
				return nil, err
			}
			if k == nil {
				return nil, errorf(stateNotNull, "a MAP key cannot be NULL")
			}
			b.WriteString(jsonString(renderText(t.Key(), k, loc)))
			b.WriteString(": ")
			if err := writeJSONValue(&b, t.Elem(), c.elems[i+1], loc); err != nil {
				return nil, err
			}
		}
		b.WriteByte('}')
	default:
		return nil, errorf(stateTypeMismatch, "%s[...] cannot be stored in a %s column", strings.ToUpper(c.kind), t.String())
	}
	return b.String(), nil
}

// coerceRow stores ROW(...) for a STRUCT as a JSON object keyed by field.
func coerceRow(t *types.Type, c *callExpr, loc *time.Location) (any, error) {
	fields := t.Fields()
	if t.Kind() != types.KindStruct || len(fields) != len(c.args) {
		return nil, errorf(stateTypeMismatch, "ROW with %d values cannot be stored in a %s column", len(c.args), t.String())
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(jsonString(f.Name))
		b.WriteString(": ")
		if err := writeJSONValue(&b, f.Type, c.args[i], loc); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.String(), nil
}

// writeJSONValue writes one element of an ARRAY, MAP or STRUCT: numbers
// and booleans bare, nested containers as JSON, everything else as a
// JSON string of its wire text.
func writeJSONValue(b *strings.Builder, t *types.Type, e expr, loc *time.Location) error {
	v, err := coerceValue(t, e, loc)
	if err != nil {
		return err
	}
	if v == nil {
		b.WriteString("null")
		return nil
	}
	text := renderText(t, v, loc)
	switch {
	case t.Kind() == types.KindArray || t.Kind() == types.KindMap || t.Kind() == types.KindStruct || t.Kind() == types.KindBoolean:
		b.WriteString(text)
	case isNumeric(t):
		if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
			b.WriteString(jsonString(text))
		} else {
			b.WriteString(text)
		}
	default:
		b.WriteString(jsonString(text))
	}
	return nil
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// plainDecimal is the fast path of coerceDecimal: a plain number with no
// more fraction digits than the scale and few enough digits overall that
// float64 holds it exactly as written.
func plainDecimal(text string, p, s int64) (float64, bool) {
	digits, intDigits, frac, dot := 0, 0, 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '-' && i == 0:
		case c == '.' && !dot:
			dot = true
		case c >= '0' && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
			if dot {
				frac++
			} else if digits > 0 {
				intDigits++
			}
		default:
			return 0, false
		}
	}
	if int64(frac) > s || int64(intDigits) > p-s || digits > maxDecimalDigits {
		return 0, false
	}
	f, err := strconv.ParseFloat(text, 64)
	return f, err == nil
}
