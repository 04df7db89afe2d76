package emulator

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestExpressionChainsAreBounded: a long chain of operators builds a
// left-deep tree as deep as the chain; it must be a syntax error, never a
// stack overflow in the parser, the planner or SQLite.
func TestExpressionChainsAreBounded(t *testing.T) {
	const n = 200_000
	tests := []struct{ name, sql string }{
		{"plus", "SELECT 1" + strings.Repeat("+1", n)},
		{"times", "SELECT 1" + strings.Repeat("*1", n)},
		{"concat", "SELECT 'a'" + strings.Repeat("||'a'", n)},
		{"or", "SELECT TRUE" + strings.Repeat(" OR TRUE", n)},
		{"and", "SELECT TRUE" + strings.Repeat(" AND TRUE", n)},
		{"not", "SELECT " + strings.Repeat("NOT ", n) + "TRUE"},
		{"comparison", "SELECT 1" + strings.Repeat(" = 1", n)},
		{"is null", "SELECT 1" + strings.Repeat(" IS NULL", n)},
		{"in", "SELECT 1" + strings.Repeat(" IN (1)", n)},
		{"unary minus", "SELECT " + strings.Repeat("- ", n) + "1"},
		{"parentheses", "SELECT " + strings.Repeat("(", n) + "1" + strings.Repeat(")", n)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(tt.sql + ";")
			require.Error(t, err)
			e, ok := err.(*sqlError)
			require.True(t, ok, "error of type %T", err)
			require.Equal(t, "42601", e.state)
			require.Contains(t, e.msg, "nested too deeply")
		})
	}
	// A chain within the bound still parses.
	_, err := parse("SELECT 1" + strings.Repeat("+1", maxExprDepth/2) + ";")
	require.NoError(t, err)
}

// TestWindowSizesAreBounded: a window size cannot overflow, and a HOP
// cannot put one row in an unbounded number of windows.
func TestWindowSizesAreBounded(t *testing.T) {
	tests := []struct{ name, from, state string }{
		{"tumble within bounds", "TUMBLE(s, SIZE 30 SECONDS)", ""},
		{"hop within bounds", "HOP(s, SIZE 1 HOUR, ADVANCE BY 1 MINUTE)", ""},
		{"size overflows", "TUMBLE(s, SIZE 1099511627776 DAYS)", "42601"},
		{"hop into too many windows", "HOP(s, SIZE 1099511627776 MILLISECONDS, ADVANCE BY 1 MILLISECOND)", stateInvalidParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse("CREATE CHANGELOG c AS SELECT window_start, COUNT(*) AS n FROM " + tt.from + " GROUP BY window_start, window_end;")
			if tt.state == "" {
				require.NoError(t, err)
				return
			}
			e, ok := err.(*sqlError)
			require.True(t, ok, "error %v of type %T", err, err)
			require.Equal(t, tt.state, e.state)
		})
	}
}
