package bind

import (
	"database/sql/driver"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type (
	myInt    int
	myUint8  uint8
	myString string
	myBool   bool
	myFloat  float32
	myBytes  []byte
)

// statusValuer implements driver.Valuer on a value receiver.
type statusValuer string

func (s statusValuer) Value() (driver.Value, error) { return "status:" + string(s), nil }

// ptrValuer implements driver.Valuer on a pointer receiver and would panic
// on a nil receiver.
type ptrValuer struct{ n int64 }

func (p *ptrValuer) Value() (driver.Value, error) { return p.n, nil }

// chainValuer returns another Valuer.
type chainValuer struct{}

func (chainValuer) Value() (driver.Value, error) { return statusValuer("chained"), nil }

// selfValuer returns itself forever.
type selfValuer struct{}

func (s selfValuer) Value() (driver.Value, error) { return s, nil }

// cyclic is a pointer type that can point at itself.
type cyclic *cyclic

func TestValue(t *testing.T) {
	ts := time.Date(2006, 1, 2, 15, 4, 5, 999999999, time.FixedZone("X", 3600))
	i := 42
	pi := &i
	s := "x"
	var nilInt *int
	var nilPtrValuer *ptrValuer
	var nilStatus *statusValuer
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, "NULL"},
		{"true", true, "TRUE"},
		{"false", false, "FALSE"},
		{"int", 42, "42"},
		{"int8", int8(-128), "-128"},
		{"int16", int16(-32768), "-32768"},
		{"int32", int32(-7), "-7"},
		{"int64 min", int64(math.MinInt64), "-9223372036854775808"},
		{"int64 max", int64(math.MaxInt64), "9223372036854775807"},
		{"uint", uint(7), "7"},
		{"uint8", uint8(255), "255"},
		{"uint16", uint16(65535), "65535"},
		{"uint32", uint32(4294967295), "4294967295"},
		{"uint64 max", uint64(math.MaxUint64), "18446744073709551615"},
		{"float 1.5", 1.5, "1.5E0"},
		{"float zero", 0.0, "0E0"},
		{"float negative zero", math.Copysign(0, -1), "-0E0"},
		{"float integral", 100.0, "1E2"},
		{"float big", 1e21, "1E21"},
		{"float small", -2.5e-7, "-2.5E-7"},
		{"float max", math.MaxFloat64, "1.7976931348623157E308"},
		{"float smallest", math.SmallestNonzeroFloat64, "5E-324"},
		{"float shortest", 0.1, "1E-1"},
		{"float32", float32(0.1), "1E-1"},
		{"float32 max", float32(math.MaxFloat32), "3.4028235E38"},
		{"string", "abc", "'abc'"},
		{"empty string", "", "''"},
		{"string quotes", "'''", "''''''''"},
		{"string backslash", `a\'b`, `'a\''b'`},
		{"string tab and unicode", "a\tb ✓ \u2028", "'a\tb ✓ \u2028'"},
		{"bytes", []byte{0xde, 0xad, 0xbe, 0xef}, "X'deadbeef'"},
		{"empty bytes", []byte{}, "X''"},
		{"nil bytes", []byte(nil), "NULL"},
		{"long bytes", make([]byte, 100), "X'" + strings.Repeat("00", 100) + "'"},
		{"time converted to UTC", ts, "TIMESTAMP '2006-01-02 14:04:05.999999999'"},
		{"time whole seconds", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), "TIMESTAMP '2020-01-01 00:00:00'"},
		{"time millis", time.Date(2020, 1, 1, 0, 0, 0, 1e6, time.UTC), "TIMESTAMP '2020-01-01 00:00:00.001'"},
		{"time year 1", time.Time{}, "TIMESTAMP '0001-01-01 00:00:00'"},
		{"time year 9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), "TIMESTAMP '9999-12-31 23:59:59'"},
		{"time monotonic", time.Unix(0, 0).Add(0), "TIMESTAMP '1970-01-01 00:00:00'"},
		{"raw json", json.RawMessage(`{"a": "it's"}`), `'{"a": "it''s"}'`},
		{"nil raw json", json.RawMessage(nil), "NULL"},
		{"pointer", pi, "42"},
		{"pointer to pointer", &pi, "42"},
		{"pointer to string", &s, "'x'"},
		{"nil pointer", nilInt, "NULL"},
		{"named int", myInt(-3), "-3"},
		{"named uint8", myUint8(3), "3"},
		{"named string", myString("o'k"), "'o''k'"},
		{"named bool", myBool(true), "TRUE"},
		{"named float32", myFloat(0.25), "2.5E-1"},
		{"named bytes", myBytes{1}, "X'01'"},
		{"nil named bytes", myBytes(nil), "NULL"},
		{"valuer", statusValuer("ok"), "'status:ok'"},
		{"pointer valuer", &ptrValuer{n: 9}, "9"},
		{"nil pointer valuer", nilPtrValuer, "NULL"},
		{"nil pointer to value valuer", nilStatus, "NULL"},
		{"chained valuer", chainValuer{}, "'status:chained'"},
		{"duration is int64", time.Duration(1500), "1500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Value(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)

			conv, err := ConvertValue(tt.in)
			require.NoError(t, err)
			again, err := Value(conv)
			require.NoError(t, err)
			assert.Equal(t, tt.want, again, "ConvertValue result renders the same")
		})
	}
}

func TestValueFloatsReadBack(t *testing.T) {
	for _, f := range []float64{1.5, 1e21, 1e-300, 123456789.123, math.Pi, -math.E, 5e-324, math.MaxFloat64, 1 << 53, 0.3} {
		s, err := Value(f)
		require.NoError(t, err)
		assert.Contains(t, s, "E", "always has an exponent so it is typed DOUBLE")
		assert.NotContains(t, s, "+")
		back, err := strconv.ParseFloat(s, 64)
		require.NoError(t, err)
		assert.Equal(t, f, back, s)
	}
	for _, f := range []float32{0.1, 1.17549435e-38, math.MaxFloat32, 3.14159} {
		s, err := Value(f)
		require.NoError(t, err)
		back, err := strconv.ParseFloat(s, 32)
		require.NoError(t, err)
		assert.Equal(t, f, float32(back), s)
	}
}

func TestValueErrors(t *testing.T) {
	tooDeep := new(cyclic)
	*tooDeep = tooDeep
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"map", map[string]int{}, "unsupported type map[string]int"},
		{"struct", struct{ A int }{}, "unsupported type struct { A int }"},
		{"slice", []int{1}, "unsupported type []int"},
		{"array", [2]byte{}, "unsupported type [2]uint8"},
		{"complex", complex(1, 2), "unsupported type complex128"},
		{"uintptr", uintptr(1), "unsupported type uintptr"},
		{"chan", make(chan int), "unsupported type chan int"},
		{"func", func() {}, "unsupported type func()"},
		{"NaN", math.NaN(), "float NaN has no SQL literal"},
		{"+Inf", math.Inf(1), "float +Inf has no SQL literal"},
		{"-Inf float32", float32(math.Inf(-1)), "float -Inf has no SQL literal"},
		{"named NaN", myFloat(float32(math.NaN())), "float NaN has no SQL literal"},
		{"newline", "a\nb", "line break"},
		{"carriage return", "a\rb", "line break"},
		{"newline after unicode", "é\nb", "line break"},
		{"named newline", myString("a\n"), "line break"},
		{"NUL", "a\x00b", "NUL character"},
		{"NUL after unicode", "é\x00", "NUL character"},
		{"invalid UTF-8", "a\xffb", "not valid UTF-8"},
		{"raw json with newline", json.RawMessage("{\n}"), "json.Compact"},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "year 10000 is outside"},
		{"negative year", time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), "year -1 is outside"},
		{"valuer error", failingValuer{}, "Value: boom"},
		{"valuer returns unsupported", anyValuer{map[int]int{}}, "unsupported type map[int]int"},
		{"self valuer", selfValuer{}, "nest more than 32 deep"},
		{"cyclic pointer", tooDeep, "nest more than 32 deep"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Value(tt.in)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "deltastream: "), err.Error())

			_, convErr := ConvertValue(tt.in)
			assert.EqualError(t, convErr, err.Error())
		})
	}
}

// anyValuer wraps a value in a Valuer.
type anyValuer struct{ v any }

func (a anyValuer) Value() (driver.Value, error) { return a.v, nil }

func TestConvertValueTypes(t *testing.T) {
	tests := []struct {
		in   any
		want driver.Value
	}{
		{7, int64(7)},
		{uint8(7), int64(7)},
		{uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{myString("a"), "a"},
		{json.RawMessage(`[1]`), "[1]"},
		{anyValuer{int32(3)}, int64(3)},
		{float32(1.5), float32(1.5)},
		{myFloat(1.5), float32(1.5)},
		{[]byte(nil), nil},
	}
	for _, tt := range tests {
		got, err := ConvertValue(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, got)
	}
}

func TestQuoteString(t *testing.T) {
	got, err := QuoteString("it's")
	require.NoError(t, err)
	assert.Equal(t, "'it''s'", got)

	got, err = QuoteString("")
	require.NoError(t, err)
	assert.Equal(t, "''", got)

	for _, bad := range []string{"a\nb", "\r", "\x00", "\xc3"} {
		_, err := QuoteString(bad)
		require.Error(t, err, "%q", bad)
	}
	_, err = QuoteString("-----BEGIN KEY-----\nabc\n-----END KEY-----")
	require.ErrorContains(t, err, "deltastream.WithAttachment")
}

func TestQuoteIdentifier(t *testing.T) {
	tests := map[string]string{
		"":           `""`,
		"a":          `"a"`,
		"Mixed":      `"Mixed"`,
		`a"b`:        `"a""b"`,
		`"`:          `""""`,
		"with space": `"with space"`,
		"列":          `"列"`,
	}
	for in, want := range tests {
		assert.Equal(t, want, QuoteIdentifier(in), in)
	}
}
