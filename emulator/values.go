package emulator

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/internal/types"
)

// How values are stored in SQLite, by DeltaStream type:
//
//	TINYINT..BIGINT, BOOLEAN (0/1)  INTEGER
//	FLOAT, DOUBLE, DECIMAL          REAL (DECIMAL limited to 15 significant digits)
//	CHAR, VARCHAR                   TEXT
//	BINARY, VARBINARY               BLOB
//	DATE                            TEXT 2006-01-02
//	TIME                            TEXT 15:04:05.000000000
//	TIMESTAMP                       TEXT 2006-01-02 15:04:05.000000000
//	TIMESTAMP_LTZ                   TEXT as TIMESTAMP, in UTC
//	ARRAY, MAP, STRUCT              TEXT, the JSON text sent on the wire
//
// The fixed-width text forms sort and compare like the values they hold.
const (
	storedTimestamp = "2006-01-02 15:04:05.000000000"
	storedTime      = "15:04:05.000000000"
	storedDate      = "2006-01-02"
	// maxDecimalDigits is how many significant digits a DECIMAL value may
	// have: the emulator computes with float64, exact to 15 digits.
	maxDecimalDigits = 15
)

// parseType parses a canonical type string from the catalog.
func parseType(s string) *types.Type {
	t, err := types.Parse(s)
	if err != nil {
		t, _ = types.Parse("VARCHAR")
	}
	return t
}

// storageClass is the SQLite column type that holds values of t.
func storageClass(t *types.Type) string {
	switch t.Kind() {
	case types.KindTinyInt, types.KindSmallInt, types.KindInteger, types.KindBigInt, types.KindBoolean:
		return "INTEGER"
	case types.KindFloat, types.KindDouble, types.KindDecimal:
		return "REAL"
	case types.KindBinary, types.KindVarbinary:
		return "BLOB"
	}
	return "TEXT"
}

// isNumeric reports whether t is a number type.
func isNumeric(t *types.Type) bool {
	switch t.Kind() {
	case types.KindTinyInt, types.KindSmallInt, types.KindInteger, types.KindBigInt,
		types.KindFloat, types.KindDouble, types.KindDecimal:
		return true
	}
	return false
}

func isInteger(t *types.Type) bool {
	switch t.Kind() {
	case types.KindTinyInt, types.KindSmallInt, types.KindInteger, types.KindBigInt:
		return true
	}
	return false
}

// intRange is the range of an integer type.
func intRange(k types.Kind) (int64, int64) {
	switch k {
	case types.KindTinyInt:
		return math.MinInt8, math.MaxInt8
	case types.KindSmallInt:
		return math.MinInt16, math.MaxInt16
	case types.KindInteger:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// render turns a stored value into the text sent on the wire for a
// column of type t; nil stays NULL. loc is the request's timezone.
func render(t *types.Type, v any, loc *time.Location) *string {
	if v == nil {
		return nil
	}
	s := renderText(t, v, loc)
	return &s
}

func renderText(t *types.Type, v any, loc *time.Location) string {
	switch t.Kind() {
	case types.KindTinyInt, types.KindSmallInt, types.KindInteger, types.KindBigInt:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10)
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.FormatInt(int64(x), 10)
			}
			return javaDouble(x, 64)
		}
	case types.KindFloat:
		if f, ok := toFloat(v); ok {
			return javaDouble(f, 32)
		}
	case types.KindDouble:
		if f, ok := toFloat(v); ok {
			return javaDouble(f, 64)
		}
	case types.KindDecimal:
		_, scale, _ := t.PrecisionScale()
		if f, ok := toFloat(v); ok {
			return strconv.FormatFloat(f, 'f', int(scale), 64)
		}
	case types.KindBoolean:
		switch x := v.(type) {
		case int64:
			return strconv.FormatBool(x != 0)
		case float64:
			return strconv.FormatBool(x != 0)
		}
	case types.KindBinary, types.KindVarbinary:
		switch x := v.(type) {
		case []byte:
			return base64.StdEncoding.EncodeToString(x)
		case string:
			return base64.StdEncoding.EncodeToString([]byte(x))
		}
	case types.KindTime:
		if s, ok := v.(string); ok {
			p, _, _ := t.PrecisionScale()
			return trimFraction(s, int(p))
		}
	case types.KindTimestamp:
		if s, ok := v.(string); ok {
			p, _, _ := t.PrecisionScale()
			return trimFraction(s, int(p))
		}
	case types.KindTimestampLTZ:
		if s, ok := v.(string); ok {
			ts, err := time.ParseInLocation(storedTimestamp, s, time.UTC)
			if err != nil {
				return s
			}
			p, _, _ := t.PrecisionScale()
			return formatLTZ(ts.In(loc), int(p))
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(storedTimestamp)
	}
	return ""
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

// javaDouble formats f as Java's Double.toString does: plain notation
// with at least one fraction digit between 1e-3 and 1e7, else d.dddE±n.
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a == 0 || a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits)
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	sign, digits := exp[:1], strings.TrimLeft(exp[1:], "0")
	return mant + "E" + sign + digits
}

// trimFraction keeps p fraction digits of a stored time text.
func trimFraction(s string, p int) string {
	dot := strings.LastIndexByte(s, '.')
	if dot < 0 {
		return s
	}
	if p <= 0 {
		return s[:dot]
	}
	return s[:min(len(s), dot+1+p)]
}

// formatLTZ renders an instant in its location with p fraction digits
// and the zone offset ("Z" for UTC).
func formatLTZ(t time.Time, p int) string {
	layout := "2006-01-02 15:04:05"
	if p > 0 {
		layout += "." + strings.Repeat("0", min(p, 9))
	}
	return t.Format(layout + "Z07:00")
}

// storedNow is the stored TIMESTAMP_LTZ text of t.
func storedNow(t time.Time) string { return t.UTC().Format(storedTimestamp) }
