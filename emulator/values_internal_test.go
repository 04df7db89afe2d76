package emulator

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRenderWireText(t *testing.T) {
	sg, err := time.LoadLocation("Asia/Singapore")
	require.NoError(t, err)
	tests := []struct {
		typ  string
		v    any
		loc  *time.Location
		want string
	}{
		{"INTEGER", int64(-5), time.UTC, "-5"},
		{"BIGINT", int64(-9223372036854775808), time.UTC, "-9223372036854775808"},
		{"DOUBLE", 3.5, time.UTC, "3.5"},
		{"DOUBLE", 1.0, time.UTC, "1.0"},
		{"DOUBLE", -1.79e308, time.UTC, "-1.79E+308"},
		{"DOUBLE", 2.23e-308, time.UTC, "2.23E-308"},
		{"DOUBLE", 1e7, time.UTC, "1.0E+7"},
		{"FLOAT", 0.1, time.UTC, "0.1"},
		{"DECIMAL(10, 2)", 1.5, time.UTC, "1.50"},
		{"DECIMAL(10, 0)", int64(7), time.UTC, "7"},
		{"BOOLEAN", int64(1), time.UTC, "true"},
		{"BOOLEAN", int64(0), time.UTC, "false"},
		{"VARBINARY", []byte("binary"), time.UTC, "YmluYXJ5"},
		{"DATE", "2007-04-30", time.UTC, "2007-04-30"},
		{"TIME", "13:10:02.047438100", time.UTC, "13:10:02"},
		{"TIME(3)", "13:10:02.047438100", time.UTC, "13:10:02.047"},
		{"TIMESTAMP(3)", "2007-04-30 13:10:02.047438100", time.UTC, "2007-04-30 13:10:02.047"},
		{"TIMESTAMP", "2007-04-30 13:10:02.047438100", time.UTC, "2007-04-30 13:10:02.047438"},
		{"TIMESTAMP_LTZ(0)", "2023-12-30 03:37:45.000000000", time.UTC, "2023-12-30 03:37:45Z"},
		{"TIMESTAMP_LTZ(3)", "2023-12-30 03:37:45.000000000", sg, "2023-12-30 11:37:45.000+08:00"},
		{"ARRAY<INTEGER>", "[1,2,3,4]", time.UTC, "[1,2,3,4]"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.want, func(t *testing.T) {
			got := render(parseType(tt.typ), tt.v, tt.loc)
			require.NotNil(t, got)
			require.Equal(t, tt.want, *got)
		})
	}
	require.Nil(t, render(parseType("INTEGER"), nil, time.UTC))
}

func TestDecimalRounding(t *testing.T) {
	tests := []struct {
		typ, in string
		want    float64
		state   string
	}{
		{"DECIMAL(10, 2)", "1.555", 1.56, ""},
		{"DECIMAL(10, 2)", "-1.555", -1.56, ""},
		{"DECIMAL(4, 2)", "99.994", 99.99, ""},
		{"DECIMAL(4, 2)", "99.995", 0, "22003"},
		{"DECIMAL(38, 0)", "1234567890123456", 0, "0A000"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := coerceDecimal(parseType(tt.typ), tt.in)
			if tt.state != "" {
				require.Equal(t, tt.state, errState(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, v)
		})
	}
}
