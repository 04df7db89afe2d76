package statements

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		stmts []string
		rest  string
	}{
		{"empty", "", nil, ""},
		{"one", "LIST DATABASES;", []string{"LIST DATABASES;"}, ""},
		{"two and rest", "USE DATABASE a; LIST SCHEMAS;\nSELECT 1", []string{"USE DATABASE a;", "LIST SCHEMAS;"}, "\nSELECT 1"},
		{"string with semicolon", "SELECT 'a;b' FROM x;", []string{"SELECT 'a;b' FROM x;"}, ""},
		{"escaped quote", "SELECT 'it''s;' FROM x;", []string{"SELECT 'it''s;' FROM x;"}, ""},
		{"quoted ident", `SELECT "a;""b" FROM x;`, []string{`SELECT "a;""b" FROM x;`}, ""},
		{"line comment", "SELECT 1 -- no; end\n;", []string{"SELECT 1 -- no; end\n;"}, ""},
		{"block comment", "SELECT /* ; */ 1;", []string{"SELECT /* ; */ 1;"}, ""},
		{"unterminated string", "SELECT 'abc;", nil, "SELECT 'abc;"},
		{"unterminated comment", "SELECT /* ;", nil, "SELECT /* ;"},
		{"empty statements dropped", " ; ;-- c\n;", nil, ""},
		{"multi-line", "SELECT a,\n  b\nFROM t;", []string{"SELECT a,\n  b\nFROM t;"}, ""},
		{"unicode", "SELECT 'héllo；' FROM \"t€\";", []string{"SELECT 'héllo；' FROM \"t€\";"}, ""},
		{"dash alone", "SELECT 1-2;", []string{"SELECT 1-2;"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, rest := Split(tt.in)
			assert.Equal(t, tt.stmts, stmts)
			assert.Equal(t, tt.rest, rest)
		})
	}
}

func TestOneLineAndBlank(t *testing.T) {
	tests := []struct{ in, one string }{
		{"SELECT a, -- first\n  b\nFROM t;", "SELECT a, b FROM t;"},
		{"SELECT '  x\n y' /* c */ FROM t;", "SELECT '  x\n y' FROM t;"},
		{"  LIST   DATABASES ;", "LIST DATABASES ;"},
		{"SELECT '--' FROM t;", "SELECT '--' FROM t;"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.one, OneLine(tt.in), tt.in)
	}
	assert.True(t, IsBlank(" -- x\n/* y */ "))
	assert.False(t, IsBlank("-- x\nLIST"))
}

func TestTerminated(t *testing.T) {
	tests := []struct{ in, out string }{
		{"LIST DATABASES", "LIST DATABASES;"},
		{"LIST DATABASES; ", "LIST DATABASES;"},
		{"LIST DATABASES -- c", "LIST DATABASES -- c\n;"},
		{"LIST DATABASES; -- c", "LIST DATABASES; -- c"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.out, Terminated(tt.in))
	}
}

func TestHasSecret(t *testing.T) {
	tests := []struct {
		stmt   string
		secret bool
	}{
		{"CREATE SECRET s WITH ('type' = 'generic_string', 'generic_string.value' = 'x');", true},
		{"create store k WITH ('type'=KAFKA, 'kafka.sasl.password'='p');", true},
		{"CREATE STORE k WITH ('uris' = 'b:9092');", true},
		{"CREATE OR REPLACE SECRET s WITH ();", true},
		{"UPDATE STORE k WITH ('x'='y');", true},
		{"SELECT * FROM tokens;", true},
		{"LIST DATABASES;", false},
		{"CREATE STREAM s AS SELECT * FROM p;", false},
		{"/* c */ CREATE\n  SECRET s;", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.secret, HasSecret(tt.stmt), tt.stmt)
	}
}

func TestKeywordsAndCatalog(t *testing.T) {
	assert.Equal(t, []string{"CREATE", "STREAM", "S"}, Keywords("-- x\n create stream s AS", 3))
	assert.Equal(t, []string{"SELECT"}, Keywords(`SELECT "x"`, 3))
	assert.True(t, ChangesCatalog("use database x;"))
	assert.False(t, ChangesCatalog("SELECT 1;"))
	assert.Empty(t, Keywords("", 2))
}

// FuzzSplit checks that splitting loses no text: the statements and the
// rest hold every non-space byte of the input, in order, apart from
// separators of empty statements.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"LIST DATABASES;", "SELECT 'a;b'; x", "/* ; */ -- ;\n;", "\"a\"\"b;\";", "'", "SELECT 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		stmts, rest := Split(in)
		for _, s := range stmts {
			if !strings.HasSuffix(s, ";") {
				t.Fatalf("statement %q does not end with ;", s)
			}
			again, r := Split(s)
			if len(again) != 1 || strings.TrimSpace(r) != "" {
				t.Fatalf("statement %q splits again into %q + %q", s, again, r)
			}
		}
		if !strings.HasSuffix(in, rest) {
			t.Fatalf("rest %q is not the tail of the input", rest)
		}
		_ = OneLine(in)
		_ = HasSecret(in)
		if strings.Contains(in, "\x00") {
			return
		}
		if IsBlank(in) && len(stmts) > 0 {
			t.Fatalf("blank input %q gave statements %q", in, stmts)
		}
	})
}
