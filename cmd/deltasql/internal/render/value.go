package render

import (
	"database/sql"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// kind is how the shell shows the values of a column, from its database
// type name.
type kind uint8

const (
	kText kind = iota
	kInt
	kFloat
	kDecimal
	kBool
	kDate
	kTime
	kTimestamp   // no zone: TIMESTAMP
	kTimestampTZ // TIMESTAMP_LTZ, TIMESTAMP_TZ
	kBytes
	kJSON // ARRAY, MAP, STRUCT, MULTISET: JSON text
)

// kindOf maps a DatabaseTypeName (the base name the driver reports, e.g.
// "DECIMAL" or "TIMESTAMP WITH LOCAL TIME ZONE"; a full type such as
// "TIMESTAMP(3) WITH LOCAL TIME ZONE NOT NULL" works too) to a kind;
// unknown names are text.
func kindOf(dbType string) kind {
	t := strings.ToUpper(dbType)
	if i := strings.IndexByte(t, '<'); i >= 0 {
		t = t[:i]
	}
	for { // drop parameters: TIMESTAMP(3) WITH ... is a TIMESTAMP WITH ...
		open := strings.IndexByte(t, '(')
		if open < 0 {
			break
		}
		end := strings.IndexByte(t[open:], ')')
		if end < 0 {
			t = t[:open]
			break
		}
		t = t[:open] + " " + t[open+end+1:]
	}
	t = strings.TrimSuffix(strings.Join(strings.Fields(t), " "), " NOT NULL")
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "INT", "BIGINT":
		return kInt
	case "FLOAT", "DOUBLE", "REAL":
		return kFloat
	case "DECIMAL", "DEC", "NUMERIC":
		return kDecimal
	case "BOOLEAN":
		return kBool
	case "DATE":
		return kDate
	case "TIME":
		return kTime
	case "TIMESTAMP":
		return kTimestamp
	case "TIMESTAMP_LTZ", "TIMESTAMP_TZ", "TIMESTAMP WITH LOCAL TIME ZONE", "TIMESTAMP WITH TIME ZONE":
		return kTimestampTZ
	case "VARBINARY", "BINARY", "BYTES":
		return kBytes
	case "ARRAY", "MAP", "STRUCT", "ROW", "MULTISET":
		return kJSON
	}
	return kText
}

// numeric reports whether the column's values are numbers: they are
// right-aligned in tables and written as JSON numbers.
func (k kind) numeric() bool { return k == kInt || k == kFloat || k == kDecimal }

// column is one result column.
type column struct {
	name string
	kind kind
}

func columnsOf(cts []*sql.ColumnType) []column {
	cols := make([]column, len(cts))
	for i, ct := range cts {
		cols[i] = column{name: ct.Name(), kind: kindOf(ct.DatabaseTypeName())}
	}
	return cols
}

// Layouts of times. Machine formats use RFC 3339; tables show the
// service's own text (space separator, no zone for TIMESTAMP).
const (
	layoutDate        = "2006-01-02"
	layoutTimestamp   = "2006-01-02 15:04:05.999999999"
	layoutTimestampTZ = "2006-01-02 15:04:05.999999999Z07:00"
)

// appendValue appends the text of a non-NULL value v of a column of kind
// k. machine selects the exact forms of the machine formats (RFC 3339
// times); otherwise times look as the service writes them. Bytes are
// base64 either way; numbers keep every digit.
func appendValue(dst []byte, v any, k kind, machine bool) []byte {
	switch v := v.(type) {
	case string:
		return append(dst, v...)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case float64:
		return appendFloat(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case []byte:
		return base64.StdEncoding.AppendEncode(dst, v)
	case time.Time:
		return appendTime(dst, v, k, machine)
	case float32:
		return appendFloat(dst, float64(v))
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case fmt.Stringer:
		return append(dst, v.String()...)
	}
	return fmt.Append(dst, v)
}

func appendTime(dst []byte, t time.Time, k kind, machine bool) []byte {
	switch {
	case k == kDate:
		return t.AppendFormat(dst, layoutDate)
	case machine:
		return appendDateTime(dst, t, 'T', true) // time.RFC3339Nano
	case k == kTimestamp:
		return appendDateTime(dst, t, ' ', false) // layoutTimestamp
	}
	return appendDateTime(dst, t, ' ', true) // layoutTimestampTZ
}

// appendFloat writes f the way encoding/json does (no exponent between
// 1e-6 and 1e21, shortest digits that read back the same), and the
// service's Java names for the values JSON has no number for.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(dst, f, format, -1, 64)
}

// isFiniteFloat reports whether v is a float that JSON can hold as a number.
func isFiniteFloat(v any) bool {
	f, ok := v.(float64)
	return !ok || !(math.IsNaN(f) || math.IsInf(f, 0))
}
