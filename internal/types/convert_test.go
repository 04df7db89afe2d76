package types

import (
	"errors"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the tests need named zones on any machine

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type convertCase struct {
	typ  string
	cell string
	want any    // expected value, when err is ""
	err  string // expected error suffix (the reason)
}

func runConvertCases(t *testing.T, tests []convertCase, loc *time.Location) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.cell, func(t *testing.T) {
			col := NewColumn("x", tt.typ, true, nil, nil, nil)
			v, err := col.Convert([]byte(tt.cell), loc)
			if tt.err != "" {
				require.Error(t, err)
				assert.Nil(t, v)
				assert.Contains(t, err.Error(), `deltastream: column "x" (`)
				assert.Contains(t, err.Error(), tt.err)
				var ve *ValueError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, "x", ve.Column)
				return
			}
			require.NoError(t, err)
			switch want := tt.want.(type) {
			case time.Time:
				got, ok := v.(time.Time)
				require.True(t, ok, "got %T", v)
				assert.True(t, want.Equal(got), "want %v, got %v", want, got)
				assert.Equal(t, want.Location(), got.Location())
			case float64:
				got, ok := v.(float64)
				require.True(t, ok, "got %T", v)
				if math.IsNaN(want) {
					assert.True(t, math.IsNaN(got))
				} else {
					assert.Equal(t, want, got)
					assert.Equal(t, math.Signbit(want), math.Signbit(got))
				}
			default:
				assert.Equal(t, tt.want, v)
			}
		})
	}
}

func TestConvertIntegers(t *testing.T) {
	const notInt = `is not an integer`
	const fraction = `is not an integer (it has a fractional part)`
	runConvertCases(t, []convertCase{
		{"BIGINT", "0", int64(0), ""},
		{"BIGINT", "127", int64(127), ""},
		{"BIGINT", "-42", int64(-42), ""},
		{"BIGINT", "+7", int64(7), ""},
		{"BIGINT", "-0", int64(0), ""},
		{"BIGINT", "007", int64(7), ""},
		{"BIGINT", "9223372036854775807", int64(math.MaxInt64), ""},
		{"BIGINT", "-9223372036854775808", int64(math.MinInt64), ""},
		{"BIGINT", "9.223372036854775807E+18", int64(math.MaxInt64), ""},
		{"BIGINT", "-9.223372036854775808E+18", int64(math.MinInt64), ""},
		{"BIGINT", "-9.223372036854775808E18", int64(math.MinInt64), ""},
		{"BIGINT", "9223372036854775807.000", int64(math.MaxInt64), ""},
		{"BIGINT", "-9223372036854775808.0", int64(math.MinInt64), ""},
		{"BIGINT", "1.5E1", int64(15), ""},
		{"BIGINT", "1.5e+1", int64(15), ""},
		{"BIGINT", "1E0", int64(1), ""},
		{"BIGINT", "1e3", int64(1000), ""},
		{"BIGINT", "15.0", int64(15), ""},
		{"BIGINT", "100E-2", int64(1), ""},
		{"BIGINT", "0.1e1", int64(1), ""},
		{"BIGINT", "0E-5", int64(0), ""},
		{"BIGINT", "-0.000E+999999999999999999999", int64(0), ""},
		{"BIGINT", "12345678901234567890E-1", int64(1234567890123456789), ""},
		{"BIGINT", "1.000000000000000000000000000000E+18", int64(1e18), ""},
		{"BIGINT", "1.25E1", 0, fraction},
		{"BIGINT", "1E-1", 0, fraction},
		{"BIGINT", "0.5", 0, fraction},
		{"BIGINT", "1E-999999999999999999999", 0, fraction},
		{"BIGINT", "9223372036854775808", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "-9223372036854775809", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "9.223372036854775808E+18", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "1E19", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "99999999999999999999999", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "1e999999999999999999999", 0, "is out of range for a 64-bit integer"},
		{"BIGINT", "abc", 0, notInt},
		{"BIGINT", "", 0, notInt},
		{"BIGINT", "-", 0, notInt},
		{"BIGINT", "1e", 0, notInt},
		{"BIGINT", "1E+", 0, notInt},
		{"BIGINT", "1.", 0, notInt},
		{"BIGINT", ".5", 0, notInt},
		{"BIGINT", "--1", 0, notInt},
		{"BIGINT", "1 ", 0, notInt},
		{"BIGINT", " 1", 0, notInt},
		{"BIGINT", "0x10", 0, notInt},
		{"BIGINT", "1_000", 0, notInt},
		{"BIGINT", "１", 0, notInt},
		{"BIGINT", "NaN", 0, notInt},
		{"TINYINT", "127", int64(127), ""},
		{"TINYINT", "-128", int64(-128), ""},
		{"TINYINT", "1.27E2", int64(127), ""},
		{"TINYINT", "128", int64(128), ""},
		{"TINYINT", "-129", int64(-129), ""},
		{"TINYINT", "255", int64(255), ""}, // seen from the service
		{"TINYINT", "1.28E2", int64(128), ""},
		{"TINYINT", "9223372036854775808", 0, "is out of range for a 64-bit integer"},
		{"SMALLINT", "32767", int64(32767), ""},
		{"SMALLINT", "-32768", int64(-32768), ""},
		{"SMALLINT", "32768", int64(32768), ""},
		{"SMALLINT", "-32769", int64(-32769), ""},
		{"INTEGER", "2147483647", int64(math.MaxInt32), ""},
		{"INT", "-2147483648", int64(math.MinInt32), ""},
		{"INTEGER", "2147483648", int64(2147483648), ""},
		{"INTEGER NOT NULL", "-2147483649", int64(-2147483649), ""},
		{"INTEGER", "-9.3E+18", 0, "is out of range for a 64-bit integer"},
	}, nil)
}

func TestConvertErrorMessage(t *testing.T) {
	col := NewColumn("x", "BIGINT", true, nil, nil, nil)
	_, err := col.Convert([]byte("abc"), nil)
	require.EqualError(t, err, `deltastream: column "x" (BIGINT): value "abc" is not an integer`)

	col = NewColumn("amount", "decimal(4,3)", true, nil, nil, nil)
	_, err = col.Convert([]byte("1.2.3"), nil)
	require.EqualError(t, err, `deltastream: column "amount" (DECIMAL(4, 3)): value "1.2.3" is not a decimal number`)

	// Long values are cut at a rune boundary.
	long := []byte("é" + string(make([]byte, 100)))
	for i := 2; i < len(long); i++ {
		long[i] = 'a'
	}
	long[63] = 0xc3 // start of a two-byte rune spanning the cut
	long[64] = 0xa9
	_, err = col.Convert(long, nil)
	var ve *ValueError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Truncated)
	assert.Equal(t, string(long[:63]), ve.Value)
	assert.Contains(t, err.Error(), `"... is not a decimal number`)

	// A Column built by hand without a type converts to strings.
	v, err := (&Column{Name: "y"}).Convert([]byte("z"), nil)
	require.NoError(t, err)
	assert.Equal(t, "z", v)
}

func TestConvertFloats(t *testing.T) {
	const notNum = "is not a number"
	runConvertCases(t, []convertCase{
		{"DOUBLE", "3.5", 3.5, ""},
		{"DOUBLE", "-1.79E+308", -1.79e308, ""},
		{"DOUBLE", "1.79E+308", 1.79e308, ""},
		{"DOUBLE", "2.23E-308", 2.23e-308, ""},
		{"DOUBLE", "4.9E-324", 4.9e-324, ""},
		{"DOUBLE", "0", 0.0, ""},
		{"DOUBLE", "-0.0", math.Copysign(0, -1), ""},
		{"DOUBLE", "1", 1.0, ""},
		{"DOUBLE", "NaN", math.NaN(), ""},
		{"DOUBLE", "Infinity", math.Inf(1), ""},
		{"DOUBLE", "-Infinity", math.Inf(-1), ""},
		{"DOUBLE", "+Infinity", math.Inf(1), ""},
		{"DOUBLE", "1e400", 0.0, "is out of range for DOUBLE"},
		{"DOUBLE", "abc", 0.0, notNum},
		{"DOUBLE", "", 0.0, notNum},
		{"DOUBLE", "0x1p3", 0.0, notNum},
		{"DOUBLE", "1_0", 0.0, notNum},
		{"DOUBLE", "1.0 ", 0.0, notNum},
		{"FLOAT", "0.1", 0.1, ""},
		{"FLOAT", "3.4028235E38", 3.4028235e38, ""},
		{"FLOAT", "-Infinity", math.Inf(-1), ""},
		{"REAL", "1e999", 0.0, "is out of range for FLOAT"},
	}, nil)
}

func TestConvertScalars(t *testing.T) {
	runConvertCases(t, []convertCase{
		{"DECIMAL(4, 3)", "123.00", "123.00", ""},
		{"DECIMAL(4, 3)", "1.23456789", "1.23456789", ""},
		{"DECIMAL(38, 0)", "-99999999999999999999999999999999999999", "-99999999999999999999999999999999999999", ""},
		{"DECIMAL", "+1", "+1", ""},
		{"DECIMAL", "1E+3", "1E+3", ""},
		{"DECIMAL", "1.5e-7", "1.5e-7", ""},
		{"DECIMAL", ".5", ".5", ""},
		{"DECIMAL", "5.", "5.", ""},
		{"DECIMAL", "12a", "", "is not a decimal number"},
		{"DECIMAL", "", "", "is not a decimal number"},
		{"DECIMAL", "-", "", "is not a decimal number"},
		{"DECIMAL", ".", "", "is not a decimal number"},
		{"DECIMAL", "1e", "", "is not a decimal number"},
		{"DECIMAL", "NaN", "", "is not a decimal number"},
		{"BOOLEAN", "true", true, ""},
		{"BOOLEAN", "false", false, ""},
		{"BOOLEAN", "TRUE", true, ""},
		{"BOOLEAN", "False", false, ""},
		{"BOOLEAN", "yes", false, "is not a boolean"},
		{"BOOLEAN", "1", false, "is not a boolean"},
		{"BOOLEAN", "", false, "is not a boolean"},
		{"BOOLEAN", "truee", false, "is not a boolean"},
		{"VARCHAR", "héllo", "héllo", ""},
		{"VARCHAR(3)", "", "", ""},
		{"STRING", "a\"b", "a\"b", ""},
		{"CHAR(2)", "ab", "ab", ""},
		{"VARBINARY", "YmluYXJ5", []byte("binary"), ""},
		{"BYTES", "YQ==", []byte("a"), ""},
		{"BINARY(1)", "YQ", []byte("a"), ""},
		{"VARBINARY(16)", "YQ=", []byte("a"), ""},
		{"VARBINARY", "YWJj", []byte("abc"), ""},
		{"VARBINARY", "", []byte{}, ""},
		{"VARBINARY", "-_-_", []byte{0xfb, 0xff, 0xbf}, ""},
		{"VARBINARY", "+/+/", []byte{0xfb, 0xff, 0xbf}, ""},
		{"VARBINARY", "!!!!", nil, "is not base64"},
		{"VARBINARY", "Y", nil, "is not base64"},
		{"VARBINARY", "YQ===", nil, "is not base64"},
	}, nil)
}

func TestConvertEmptyBinaryIsNotNil(t *testing.T) {
	v, err := NewColumn("b", "BYTES", true, nil, nil, nil).Convert([]byte{}, nil)
	require.NoError(t, err)
	b, ok := v.([]byte)
	require.True(t, ok)
	assert.NotNil(t, b)
	assert.Empty(t, b)
}

func TestConvertDateTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, time.UTC)
	}
	const notDate = "is not a date"
	const notTime = "is not a time of day"
	const notTS = "is not a timestamp"
	runConvertCases(t, []convertCase{
		{"DATE", "2007-04-30", utc(2007, 4, 30, 0, 0, 0, 0), ""},
		{"DATE", "2024-02-29", utc(2024, 2, 29, 0, 0, 0, 0), ""},
		{"DATE", "2000-02-29", utc(2000, 2, 29, 0, 0, 0, 0), ""},
		{"DATE", "0000-01-01", utc(0, 1, 1, 0, 0, 0, 0), ""},
		{"DATE", "9999-12-31", utc(9999, 12, 31, 0, 0, 0, 0), ""},
		{"DATE", "2023-02-29", nil, notDate},
		{"DATE", "1900-02-29", nil, notDate},
		{"DATE", "2007-04-31", nil, notDate},
		{"DATE", "2007-13-01", nil, notDate},
		{"DATE", "2007-00-10", nil, notDate},
		{"DATE", "2007-01-00", nil, notDate},
		{"DATE", "2007-4-30", nil, notDate},
		{"DATE", "20070430", nil, notDate},
		{"DATE", "2007-04-30 00:00:00", nil, notDate},
		{"DATE", "", nil, notDate},
		{"DATE", "２007-04-30", nil, notDate},

		{"TIME", "13:10:02", "13:10:02", ""},
		{"TIME(3)", "13:10:02.0474381", "13:10:02.0474381", ""},
		{"TIME(0)", "00:00:00.123456789", "00:00:00.123456789", ""},
		{"TIME", "23:59:59", "23:59:59", ""},
		{"TIME", "13:10", "13:10:00", ""},
		{"TIME", "24:00:00", nil, notTime},
		{"TIME", "13:60:00", nil, notTime},
		{"TIME", "13:10:60", nil, notTime},
		{"TIME", "13:10:02.", nil, notTime},
		{"TIME", "13:10:02.1234567890", nil, notTime},
		{"TIME", "1:10:02", nil, notTime},
		// A zone suffix is accepted and kept.
		{"TIME", "13:10:02Z", "13:10:02Z", ""},
		{"TIME(7)", "13:10:02.0474381Z", "13:10:02.0474381Z", ""},
		{"TIME", "13:10:02+01:00", "13:10:02+01:00", ""},
		{"TIME", "13:10:02-0700", "13:10:02-0700", ""},
		{"TIME", "13:10Z", "13:10:00Z", ""},
		{"TIME", "13:10:02 Z", "13:10:02 Z", ""},
		{"TIME", "13:10:02+19:00", nil, notTime},
		{"TIME", "13:10:02UTC", nil, notTime},
		{"TIME", "13:10:02Z ", nil, notTime},
		{"TIME", "13:10:02.Z", nil, notTime},
		{"TIME", "13:10:2", nil, notTime},
		{"TIME", "13", nil, notTime},
		{"TIME", "", nil, notTime},

		{"TIMESTAMP(3)", "2007-04-30 13:10:02.0474381", utc(2007, 4, 30, 13, 10, 2, 47438100), ""},
		{"TIMESTAMP(9)", "2007-04-30 13:10:02.123456789", utc(2007, 4, 30, 13, 10, 2, 123456789), ""},
		{"TIMESTAMP", "2007-04-30T13:10:02.1", utc(2007, 4, 30, 13, 10, 2, 100000000), ""},
		{"TIMESTAMP", "2007-04-30 13:10:02", utc(2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP", "2007-04-30 13:10", utc(2007, 4, 30, 13, 10, 0, 0), ""},
		{"TIMESTAMP", "2007-04-30", utc(2007, 4, 30, 0, 0, 0, 0), ""},
		{"TIMESTAMP", "2024-02-29 23:59:59.999999999", utc(2024, 2, 29, 23, 59, 59, 999999999), ""},
		{"TIMESTAMP", "0000-01-01 00:00:00", utc(0, 1, 1, 0, 0, 0, 0), ""},
		{"TIMESTAMP", "9999-12-31 23:59:59.999999999", utc(9999, 12, 31, 23, 59, 59, 999999999), ""},
		{"TIMESTAMP", "2007-04-30 13:10:02Z", utc(2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP", "2007-04-30 13:10:02+0800", utc(2007, 4, 30, 5, 10, 2, 0), ""},
		{"TIMESTAMP WITHOUT TIME ZONE", "2007-04-30 13:10:02", utc(2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP", "2023-02-29 00:00:00", nil, notTS},
		{"TIMESTAMP", "2007-04-30 24:00:00", nil, notTS},
		{"TIMESTAMP", "2007-04-30X13:10:02", nil, notTS},
		{"TIMESTAMP", "2007-04-30 13:10:02 ", nil, notTS},
		{"TIMESTAMP", "2007-04-30 ", nil, notTS},
		{"TIMESTAMP", "2007-04-30 13:10:02.1234567891", nil, notTS},
		{"TIMESTAMP", "2007-04-30 13:10:02.", nil, notTS},
		{"TIMESTAMP", "", nil, notTS},
	}, nil)
}

func TestConvertTimestampLTZ(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	at := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, time.UTC).In(la)
	}
	const notTS = "is not a timestamp"
	runConvertCases(t, []convertCase{
		{"TIMESTAMP_LTZ", "2023-12-30 03:37:45Z", at(2023, 12, 30, 3, 37, 45, 0), ""},
		{"TIMESTAMP_LTZ(9)", "2007-04-30 13:10:02.0474381Z", at(2007, 4, 30, 13, 10, 2, 47438100), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02z", at(2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP(3) WITH LOCAL TIME ZONE", "2007-04-30 13:10:02+0800", at(2007, 4, 30, 5, 10, 2, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02-07:00", at(2007, 4, 30, 20, 10, 2, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08", at(2007, 4, 30, 5, 10, 2, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02 +08:00", at(2007, 4, 30, 5, 10, 2, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30T13:10:02.5+05:30", at(2007, 4, 30, 7, 40, 2, 500000000), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+01:00:30", at(2007, 4, 30, 12, 9, 32, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02-013015", at(2007, 4, 30, 14, 40, 17, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10+18:00", at(2007, 4, 29, 19, 10, 0, 0), ""},
		{"TIMESTAMP_LTZ", "2000-01-01 00:00:00-00:00", at(2000, 1, 1, 0, 0, 0, 0), ""},
		// No zone: a wall time in the session zone (PDT is UTC-7).
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02", at(2007, 4, 30, 20, 10, 2, 0), ""},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+19:00", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08:60", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+8", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08:", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08:00:", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+080", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+0800:00", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08:0000", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02+08000000", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02Z ", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02UTC", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02  Z", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-30 13:10:02 ", nil, notTS},
		{"TIMESTAMP_LTZ", "2007-04-31 13:10:02Z", nil, notTS},
	}, la)
}

func TestConvertTimestampTZ(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(t, err)
	in := func(off int, y int, m time.Month, d, h, mi, s, ns int) time.Time {
		loc := time.UTC
		if off != 0 {
			loc = time.FixedZone("", off)
		}
		return time.Date(y, m, d, h, mi, s, ns, loc)
	}
	const notTS = "is not a timestamp"
	runConvertCases(t, []convertCase{
		// The value keeps the zone it carries, whatever the session zone.
		{"TIMESTAMP_TZ", "2023-12-30 03:37:45Z", in(0, 2023, 12, 30, 3, 37, 45, 0), ""},
		{"TIMESTAMP_TZ(9)", "2007-04-30 13:10:02.0474381Z", in(0, 2007, 4, 30, 13, 10, 2, 47438100), ""},
		{"TIMESTAMP_TZ(3)", "2007-04-30 13:10:02+0800", in(8*3600, 2007, 4, 30, 13, 10, 2, 0), ""},
		{"timestamp_tz(3) not null", "2007-04-30 13:10:02-07:00", in(-7*3600, 2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP(3) WITH TIME ZONE", "2007-04-30T13:10:02.5+05:30", in(5*3600+1800, 2007, 4, 30, 13, 10, 2, 500000000), ""},
		{"TIMESTAMP_TZ", "2007-04-30 13:10:02+01:00:30", in(3630, 2007, 4, 30, 13, 10, 2, 0), ""},
		{"TIMESTAMP_TZ", "2000-01-01 00:00:00-00:00", in(0, 2000, 1, 1, 0, 0, 0, 0), ""},
		// No zone: a wall time in the session zone.
		{"TIMESTAMP_TZ", "2007-04-30 13:10:02", time.Date(2007, 4, 30, 13, 10, 2, 0, la), ""},
		{"TIMESTAMP_TZ", "2007-04-30 13:10:02+19:00", nil, notTS},
		{"TIMESTAMP_TZ", "2007-04-30 13:10:02 CET", nil, notTS},
		{"TIMESTAMP_TZ", "2007-04-31 13:10:02Z", nil, notTS},
	}, la)

	// Equal offsets share one location: no allocation per value.
	col := NewColumn("t", "TIMESTAMP_TZ", true, nil, nil, nil)
	a, err := col.Convert([]byte("2007-04-30 13:10:02+0800"), nil)
	require.NoError(t, err)
	b, err := col.Convert([]byte("2024-01-01 00:00:00+08:00"), nil)
	require.NoError(t, err)
	assert.Same(t, a.(time.Time).Location(), b.(time.Time).Location())
	assert.Equal(t, "2007-04-30T13:10:02+08:00", a.(time.Time).Format(time.RFC3339))
	// Without a session zone, a value without a zone is UTC.
	v, err := col.Convert([]byte("2007-04-30 13:10:02"), nil)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2007, 4, 30, 13, 10, 2, 0, time.UTC), v)
}

func TestConvertTimestampLTZNilLocation(t *testing.T) {
	col := NewColumn("t", "TIMESTAMP_LTZ", true, nil, nil, nil)
	v, err := col.Convert([]byte("2007-04-30 13:10:02+0800"), nil)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2007, 4, 30, 5, 10, 2, 0, time.UTC), v)

	v, err = col.Convert([]byte("2007-04-30 13:10:02"), nil)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2007, 4, 30, 13, 10, 2, 0, time.UTC), v)
}

func TestConvertTextKinds(t *testing.T) {
	runConvertCases(t, []convertCase{
		{"ARRAY<INTEGER>", "[1,2,3,4]", "[1,2,3,4]", ""},
		{"MAP<VARCHAR, VARCHAR>", `{"k": "v"}`, `{"k": "v"}`, ""},
		{`STRUCT<k VARCHAR, "Mixed" BIGINT>`, `{"k":"a","Mixed":1}`, `{"k":"a","Mixed":1}`, ""},
		{"ROW(a INT)", `{"a":1}`, `{"a":1}`, ""},
		{"MULTISET<INT>", `{"1":2}`, `{"1":2}`, ""},
		{"INT ARRAY", "[]", "[]", ""},
		{"INTERVAL DAY(2) TO SECOND(3)", "+2 01:00:00.000", "+2 01:00:00.000", ""},
		{"GEOGRAPHY", "POINT(1 2)", "POINT(1 2)", ""},
		{"a.b", "anything", "anything", ""}, // a malformed type string
		{"", "x", "x", ""},
	}, nil)
}

// TestConvertDoesNotAlias checks that values stay intact when the caller
// reuses the cell buffer.
func TestConvertDoesNotAlias(t *testing.T) {
	tests := []struct{ typ, cell string }{
		{"VARCHAR", "hello"},
		{"DECIMAL(4, 3)", "1.234"},
		{"TIME", "13:10:02"},
		{"VARBINARY", "YmluYXJ5"},
		{"ARRAY<INT>", "[1,2]"},
		{"GEOGRAPHY", "POINT(1 2)"},
		{"BIGINT", "12345"},
		{"TIMESTAMP", "2007-04-30 13:10:02"},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			col := NewColumn("c", tt.typ, true, nil, nil, nil)
			buf := []byte(tt.cell)
			v, err := col.Convert(buf, nil)
			require.NoError(t, err)
			want, err := col.Convert([]byte(tt.cell), nil)
			require.NoError(t, err)
			for i := range buf {
				buf[i] = 'X'
			}
			assert.Equal(t, want, v)
		})
	}
}

func TestNewColumn(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }

	c := NewColumn("n", "VARCHAR", true, i64(20), i64(3), i64(1))
	assert.Equal(t, "n", c.Name)
	assert.True(t, c.Nullable)
	l, ok := c.Type.Length()
	assert.True(t, ok)
	assert.Equal(t, int64(20), l)
	assert.Equal(t, "VARCHAR(20)", c.Type.String())
	assert.Equal(t, "VARCHAR", c.Type.Raw())
	_, _, ok = c.Type.PrecisionScale()
	assert.False(t, ok)

	c = NewColumn("d", "DECIMAL", false, i64(5), i64(20), i64(4))
	assert.False(t, c.Nullable)
	p, s, ok := c.Type.PrecisionScale()
	assert.True(t, ok)
	assert.Equal(t, [2]int64{20, 4}, [2]int64{p, s})
	assert.Equal(t, "DECIMAL(20, 4)", c.Type.String())
	_, ok = c.Type.Length()
	assert.False(t, ok)

	c = NewColumn("d", "DECIMAL", true, nil, nil, i64(2))
	p, s, _ = c.Type.PrecisionScale()
	assert.Equal(t, [2]int64{10, 2}, [2]int64{p, s})

	c = NewColumn("d", "DECIMAL(7, 3)", true, nil, i64(9), nil)
	p, s, _ = c.Type.PrecisionScale()
	assert.Equal(t, [2]int64{9, 3}, [2]int64{p, s})

	c = NewColumn("ts", "TIMESTAMP(3) WITH LOCAL TIME ZONE", true, nil, i64(6), i64(0))
	p, s, ok = c.Type.PrecisionScale()
	assert.True(t, ok)
	assert.Equal(t, [2]int64{6, 0}, [2]int64{p, s})
	assert.Equal(t, KindTimestampLTZ, c.Type.Kind())

	// Negative and inapplicable overrides are ignored.
	c = NewColumn("i", "BIGINT NOT NULL", true, i64(8), i64(19), i64(0))
	assert.Equal(t, "BIGINT NOT NULL", c.Type.String())
	assert.False(t, c.Nullable, "NOT NULL in the type wins")
	c = NewColumn("v", "VARCHAR(5)", true, i64(-1), nil, nil)
	l, _ = c.Type.Length()
	assert.Equal(t, int64(5), l)

	// A malformed type string becomes KindOther.
	c = NewColumn("m", " weird<type ", true, nil, nil, nil)
	assert.Equal(t, KindOther, c.Type.Kind())
	assert.Equal(t, "WEIRD<TYPE", c.Type.DatabaseTypeName())
	assert.Equal(t, "weird<type", c.Type.String())
	assert.Equal(t, " weird<type ", c.Type.Raw())
	v, err := c.Convert([]byte("x"), nil)
	require.NoError(t, err)
	assert.Equal(t, "x", v)
}
