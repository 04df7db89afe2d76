package types

import (
	"bytes"
	"encoding/base64"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func FuzzParseType(f *testing.F) {
	for _, s := range []string{
		"VARCHAR", "VARCHAR(255)", "DECIMAL(4, 3)", "TIMESTAMP(3) WITH LOCAL TIME ZONE",
		`STRUCT<k VARCHAR, "Mixed ""q"" name" BIGINT>`, "ARRAY<MAP<VARCHAR, ARRAY<INT>>> NOT NULL",
		"ROW(a INT COMMENT 'x', `b` STRING 'y')", "INTERVAL DAY(2) TO SECOND(3)", "RAW('a', 'b')",
		"INT ARRAY MULTISET", "TIMESTAMP_LTZ(3) *PROCTIME*", "FOO<BAR, BAZ(1)>", "ARRAY<INT", "a.b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, err := Parse(s)
		col := NewColumn("c", s, true, nil, nil, nil)
		require.NotNil(t, col.Type)
		if err != nil {
			assert.Nil(t, typ)
			assert.Equal(t, KindOther, col.Type.Kind())
			return
		}
		require.NotNil(t, typ)
		assert.Equal(t, s, typ.Raw())
		assert.NotEmpty(t, typ.DatabaseTypeName())
		typ.Length()
		typ.PrecisionScale()
		str := typ.String()
		again, err := Parse(str)
		require.NoError(t, err, "String() %q of %q must re-parse", str, s)
		assert.Equal(t, str, again.String())
		assert.Equal(t, typ.Kind(), again.Kind())
		assert.Equal(t, typ.CanonicalName(), again.CanonicalName())
	})
}

// fuzzTypes are the column types FuzzConvert picks from.
var fuzzTypes = []string{
	"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(10, 2)", "BOOLEAN",
	"VARCHAR", "VARBINARY", "DATE", "TIME(3)", "TIMESTAMP(3)", "TIMESTAMP_LTZ(3)", "ARRAY<INT>", "GEOGRAPHY",
	"TIMESTAMP_TZ(3)", // appended: the seed corpus refers to types by index
}

var (
	plainDecimal   = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]{1,4})?$`)
	strictDateTime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$`)
	strictClock    = regexp.MustCompile(`^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$`)
)

// referenceTime parses a timestamp with the time package: the layouts
// below cover every form parseDateTime accepts.
func referenceTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) > dateLen && (s[dateLen] == 'T' || s[dateLen] == 't') {
		s = s[:dateLen] + " " + s[dateLen+1:]
	}
	if strings.HasSuffix(s, "z") {
		s = s[:len(s)-1] + "Z"
	}
	if len(s) == dateLen {
		t, err := time.ParseInLocation("2006-01-02", s, loc)
		return t, err == nil
	}
	for _, base := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		for _, zone := range []string{"", "Z07:00", "Z0700", "Z07", "Z07:00:00", "Z070000"} {
			for _, sep := range []string{"", " "} {
				if zone == "" && sep != "" {
					continue
				}
				if t, err := time.ParseInLocation(base+sep+zone, s, loc); err == nil {
					return t, true
				}
			}
		}
	}
	return time.Time{}, false
}

func FuzzConvert(f *testing.F) {
	seeds := []struct {
		typ  uint8
		cell string
	}{
		{3, "9.223372036854775807E+18"}, {3, "-9223372036854775808"}, {0, "1.27E2"}, {3, "1.25E1"},
		{5, "NaN"}, {5, "-Infinity"}, {5, "1.79E+308"}, {6, "123.00"}, {7, "TRUE"}, {8, "héllo"},
		{9, "YmluYXJ5"}, {9, "YQ"}, {10, "2024-02-29"}, {11, "13:10:02.0474381"}, {11, "13:10"},
		{12, "2007-04-30 13:10:02.0474381"}, {12, "2007-04-30T13:10"}, {13, "2023-12-30 03:37:45Z"},
		{13, "2007-04-30 13:10:02+0800"}, {13, "2007-04-30 13:10:02 -07:00"}, {13, "2007-04-30 13:10:02"},
		{14, "[1,2]"}, {15, "x"}, {0, "255"}, {11, "13:10:02.0474381Z"}, {11, "13:10+01:00"},
		{16, "2023-12-30 03:37:45Z"}, {16, "2007-04-30 13:10:02.0474381+0800"}, {16, "2007-04-30 13:10:02"},
	}
	for _, s := range seeds {
		f.Add(s.typ, []byte(s.cell))
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	require.NoError(f, err)
	cols := make([]*Column, len(fuzzTypes))
	for i, typ := range fuzzTypes {
		cols[i] = NewColumn("c", typ, true, nil, nil, nil)
	}
	f.Fuzz(func(t *testing.T, which uint8, cell []byte) {
		col := cols[int(which)%len(cols)]
		s := string(cell)
		buf := bytes.Clone(cell)
		v, err := col.Convert(buf, la)
		if err == nil {
			// The value does not alias the buffer.
			for i := range buf {
				buf[i] ^= 0xff
			}
			again, err2 := col.Convert(cell, la)
			require.NoError(t, err2)
			if f, ok := v.(float64); ok && math.IsNaN(f) {
				assert.True(t, math.IsNaN(again.(float64)))
			} else {
				assert.Equal(t, again, v)
			}
		} else {
			assert.Nil(t, v)
			assert.Contains(t, err.Error(), `deltastream: column "c" (`)
			assert.True(t, utf8.ValidString(err.Error()) || !utf8.Valid(cell))
		}

		k := col.Type.Kind()
		switch {
		case k.IsInteger():
			// Every kind takes any int64: the declared width is not enforced.
			if want, perr := strconv.ParseInt(s, 10, 64); perr == nil {
				require.NoError(t, err)
				assert.Equal(t, want, v)
			}
			if plainDecimal.MatchString(s) {
				r, ok := new(big.Rat).SetString(s)
				require.True(t, ok)
				lo, hi := big.NewInt(math.MinInt64), big.NewInt(math.MaxInt64)
				switch {
				case !r.IsInt():
					require.ErrorContains(t, err, "fractional part")
				case r.Num().Cmp(lo) < 0 || r.Num().Cmp(hi) > 0:
					require.ErrorContains(t, err, "out of range")
				default:
					require.NoError(t, err)
					assert.Equal(t, r.Num().Int64(), v)
				}
			}
			if err == nil {
				require.IsType(t, int64(0), v)
			}
		case k == KindFloat || k == KindDouble:
			if want, perr := strconv.ParseFloat(s, 64); perr == nil && !strings.ContainsAny(s, "_xXpP") {
				require.NoError(t, err)
				assert.Equal(t, math.Float64bits(want), math.Float64bits(v.(float64)))
			}
		case k == KindDecimal:
			if err == nil {
				assert.Equal(t, s, v)
			}
			if plainDecimal.MatchString(s) {
				require.NoError(t, err)
			}
		case k == KindBoolean:
			if strings.EqualFold(s, "true") || strings.EqualFold(s, "false") {
				require.NoError(t, err)
				assert.Equal(t, strings.EqualFold(s, "true"), v)
			} else {
				require.Error(t, err)
			}
		case k == KindVarbinary:
			if want, derr := base64.StdEncoding.DecodeString(s); derr == nil {
				require.NoError(t, err)
				assert.Equal(t, append([]byte{}, want...), v)
			}
		case k == KindDate:
			ref, rerr := time.Parse("2006-01-02", s)
			if err == nil {
				require.NoError(t, rerr)
				assert.Equal(t, ref, v)
			}
			if rerr == nil && len(s) == dateLen {
				require.NoError(t, err)
			}
		case k == KindTime:
			if err == nil {
				norm := v.(string)
				clock, zone := norm[:min(len(norm), clockLen)], norm[min(len(norm), clockLen):]
				if zone != "" && zone[0] == '.' {
					n := 1
					for n < len(zone) && isDigit(zone[n]) {
						n++
					}
					clock, zone = clock+zone[:n], zone[n:]
				}
				_, rerr := time.Parse("15:04:05", clock)
				require.NoError(t, rerr, "reference rejects %q", norm)
				if zone != "" {
					_, ok := parseZone([]byte(zone))
					assert.True(t, ok, "zone %q of %q", zone, norm)
				}
			}
			if _, rerr := time.Parse("15:04:05", s); rerr == nil && strictClock.MatchString(s) {
				require.NoError(t, err)
				assert.Equal(t, s, v)
			}
		case k == KindTimestamp || k == KindTimestampLTZ:
			loc := time.UTC
			if k == KindTimestampLTZ {
				loc = la
			}
			ref, ok := referenceTime(s, loc)
			if err == nil {
				require.True(t, ok, "reference rejects %q", s)
				got := v.(time.Time)
				assert.True(t, ref.Equal(got), "reference %v, got %v", ref, got)
				assert.Equal(t, loc, got.Location())
			}
			if ok && strictDateTime.MatchString(s) {
				require.NoError(t, err)
			}
		case k == KindTimestampTZ:
			ref, ok := referenceTime(s, la)
			if err == nil {
				require.True(t, ok, "reference rejects %q", s)
				got := v.(time.Time)
				assert.True(t, ref.Equal(got), "reference %v, got %v", ref, got)
				_, refOff := ref.Zone()
				_, gotOff := got.Zone()
				assert.Equal(t, refOff, gotOff, "the value keeps its own zone")
			}
			if ok && strictDateTime.MatchString(s) {
				require.NoError(t, err)
			}
		default:
			require.NoError(t, err)
			assert.Equal(t, s, v)
		}
	})
}
