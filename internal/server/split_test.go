package server

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"empty", "", nil},
		{"blank", "  \n\t", nil},
		{"only comments", "-- a\n/* b */ ;", nil},
		{"one", "SELECT 1;", []string{"SELECT 1;"}},
		{"one without semicolon", "SELECT 1", []string{"SELECT 1"}},
		{"two", "SELECT 1; SELECT 2;", []string{"SELECT 1;", "SELECT 2;"}},
		{"last without semicolon", "USE DATABASE d;\nSELECT 2  ", []string{"USE DATABASE d;", "SELECT 2"}},
		{"semicolon in string", "SELECT ';' ; SELECT 2;", []string{"SELECT ';' ;", "SELECT 2;"}},
		{"escaped quote in string", "SELECT 'it''s; ok'; SELECT 2;", []string{"SELECT 'it''s; ok';", "SELECT 2;"}},
		{"semicolon in identifier", `SELECT "a;""b" FROM t; SELECT 2;`, []string{`SELECT "a;""b" FROM t;`, "SELECT 2;"}},
		{"line comment", "SELECT 1 -- x; y\n; SELECT 2;", []string{"SELECT 1 -- x; y\n;", "SELECT 2;"}},
		{"block comment", "SELECT /* ; */ 1; SELECT 2;", []string{"SELECT /* ; */ 1;", "SELECT 2;"}},
		{"leading comments dropped", "-- first\nSELECT 1;\n/* second */ SELECT 2;", []string{"SELECT 1;", "SELECT 2;"}},
		{"trailing comment dropped", "SELECT 1; -- done", []string{"SELECT 1;"}},
		{"trailing comment after last", "SELECT 1 -- done", []string{"SELECT 1"}},
		{"empty statements", "SELECT 1;;; SELECT 2;", []string{"SELECT 1;", "SELECT 2;"}},
		{"unterminated string", "SELECT 'a; b", []string{"SELECT 'a; b"}},
		{"unterminated comment", "SELECT 1 /* ; ", []string{"SELECT 1"}},
		{"minus and slash", "SELECT 4-2/1; SELECT 2;", []string{"SELECT 4-2/1;", "SELECT 2;"}},
		{"string start", "'x'; 'y'", []string{"'x';", "'y'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, SplitStatements(tt.sql))
		})
	}
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range []string{"", "SELECT 1;", "a;b", "'a;b';c", `"x;""y";z`, "-- c\n;x", "/* ; */x;y", "'", "/*", "--"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		pieces := SplitStatements(sql)
		rest := sql
		for _, p := range pieces {
			if p == "" || strings.Trim(p, " \t\r\n\f\v") != p {
				t.Fatalf("piece %q is empty or not trimmed", p)
			}
			i := strings.Index(rest, p)
			if i < 0 {
				t.Fatalf("piece %q is not in order in %q", p, sql)
			}
			rest = rest[i+len(p):]
		}
		// Splitting a piece again gives the piece back.
		for _, p := range pieces {
			again := SplitStatements(p)
			if len(again) != 1 || again[0] != p {
				t.Fatalf("resplitting %q gives %q", p, again)
			}
		}
	})
}
