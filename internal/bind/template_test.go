package bind

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		query    string
		style    style
		numInput int
		ph       []string // placeholder texts in order
		names    []string
	}{
		{"empty", "", styleNone, 0, nil, nil},
		{"no placeholders", "SELECT 1;", styleNone, 0, nil, nil},
		{"positional", "INSERT INTO t VALUES (?, ?, ?);", stylePositional, 3, []string{"?", "?", "?"}, nil},
		{"adjacent positional", "??", stylePositional, 2, []string{"?", "?"}, nil},
		{"numbered", "SELECT $1, $2", styleNumbered, 2, []string{"$1", "$2"}, nil},
		{"numbered reused", "SELECT $2, $1, $2", styleNumbered, 2, []string{"$2", "$1", "$2"}, nil},
		{"numbered ten", "SELECT $1,$2,$3,$4,$5,$6,$7,$8,$9,$10", styleNumbered, 10,
			[]string{"$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9", "$10"}, nil},
		{"named", "SELECT @a, @b, @a", styleNamed, 2, []string{"@a", "@b", "@a"}, []string{"a", "b"}},
		{"named unicode", "SELECT @größe_1", styleNamed, 1, []string{"@größe_1"}, []string{"größe_1"}},
		{"named case-sensitive", "SELECT @a, @A", styleNamed, 2, []string{"@a", "@A"}, []string{"a", "A"}},
		{"named followed by dot", "SELECT @t.x", styleNamed, 1, []string{"@t"}, []string{"t"}},
		{"in string", "SELECT '?', '$1', '@a', 'it''s ?'", styleNone, 0, nil, nil},
		{"email in string", "SELECT 'user@example.com' WHERE a = ?", stylePositional, 1, []string{"?"}, nil},
		{"in double quotes", `SELECT "ident?", "a""?" FROM t`, styleNone, 0, nil, nil},
		{"in backticks", "SELECT `a?`, `b``?`", styleNone, 0, nil, nil},
		{"in line comment", "SELECT 1 -- what? $1 @a\n, ?", stylePositional, 1, []string{"?"}, nil},
		{"line comment ends at CR", "SELECT 1 -- ?\r?", stylePositional, 1, []string{"?"}, nil},
		{"in block comment", "SELECT /* ? $1 @a */ ?", stylePositional, 1, []string{"?"}, nil},
		{"block comment with stars", "/** ? **/ ?", stylePositional, 1, []string{"?"}, nil},
		{"minus is not a comment", "SELECT 1-?", stylePositional, 1, []string{"?"}, nil},
		{"slash is not a comment", "SELECT 4/?", stylePositional, 1, []string{"?"}, nil},
		{"dollar in identifier", "SELECT a$1, $1a, $x, $ FROM t", styleNone, 0, nil, nil},
		{"dollar after unicode letter", "SELECT é$1", styleNone, 0, nil, nil},
		{"double at", "SELECT @@version, @@a", styleNone, 0, nil, nil},
		{"email outside string", "SELECT user@example", styleNone, 0, nil, nil},
		{"lone at", "SELECT @ 1, @1, @_x", styleNone, 0, nil, nil},
		{"unicode text", "SELECT '日本語 ?', \"列?\", ? FROM t", stylePositional, 1, []string{"?"}, nil},
		{"unterminated string without placeholders", "SELECT 'abc", styleNone, 0, nil, nil},
		{"placeholder inside unterminated string", "SELECT 'abc, ?", styleNone, 0, nil, nil},
		{"unterminated comment without placeholders", "SELECT /* ?", styleNone, 0, nil, nil},
		{"nested comment without placeholders", "SELECT /* /* */", styleNone, 0, nil, nil},
		{"double slash without placeholders", "SELECT 1 // 2", styleNone, 0, nil, nil},
		{"E string with backslash without placeholders", `SELECT E'\''`, styleNone, 0, nil, nil},
		{"E string without backslash", "SELECT E'x', ?", stylePositional, 1, []string{"?"}, nil},
		{"word ending in e", `SELECT nam'\', ?`, stylePositional, 1, []string{"?"}, nil},
		{"adjacent named", "SELECT @a@b", styleNamed, 2, []string{"@a", "@b"}, []string{"a", "b"}},
		{"named then dollar word", "SELECT @a$x", styleNamed, 1, []string{"@a"}, []string{"a"}},
		{"unterminated line comment", "SELECT ? -- end", stylePositional, 1, []string{"?"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.query)
			require.NoError(t, err)
			assert.Equal(t, tt.query, tpl.Query())
			assert.Equal(t, tt.style, tpl.style)
			assert.Equal(t, tt.numInput, tpl.NumInput())
			var ph []string
			for _, p := range tpl.ph {
				ph = append(ph, tt.query[p.start:p.end])
			}
			assert.Equal(t, tt.ph, ph)
			assert.Equal(t, tt.names, tpl.names)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string // substring of the error
	}{
		{"mix ? and $", "SELECT ?, $1", "mixes ? and $1 placeholders"},
		{"mix $ and ?", "SELECT $1, ?", "mixes $1 and ? placeholders"},
		{"mix ? and @", "SELECT ?, @a", "mixes ? and @name placeholders"},
		{"mix @ and $", "SELECT @a, $1", "mixes @name and $1 placeholders"},
		{"dollar zero", "SELECT $0", "invalid placeholder $0"},
		{"leading zero", "SELECT $01", "invalid placeholder $01"},
		{"too large", "SELECT $99999999999999999999", "number too large"},
		{"gap", "SELECT $1, $3", "uses $3 but not $2"},
		{"missing first", "SELECT $2", "uses $2 but not $1"},
		{"large gap", "SELECT $1000000", "uses $1000000 but not $1"},
		{"unterminated string", "SELECT ?, 'abc", "unterminated string literal starting at offset 10"},
		{"unterminated quoted identifier", `SELECT ?, "abc`, `unterminated "quoted identifier"`},
		{"unterminated backtick", "SELECT ?, `abc", "unterminated `quoted identifier`"},
		{"unterminated comment", "SELECT ? /* x", "unterminated /* comment"},
		{"nested comment", "SELECT /* /* */ ? */", "nested /* comment"},
		{"double slash", "SELECT ? // x", "// at offset 9"},
		{"E string", `SELECT E'\' ? ''`, "E'...' string with a backslash"},
		{"lower e string", `SELECT ?, e'\n'`, "E'...' string with a backslash"},
		{"E string after digit", `SELECT 1E'\' ? ''`, "E'...' string with a backslash"},
		{"E string after word", `SELECT namE'\' ? ''`, "E'...' string with a backslash"},
		{"numbered after named", "SELECT @a$1", "mixes @name and $1 placeholders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.query)
			require.Error(t, err)
			assert.Nil(t, tpl)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "deltastream: "), err.Error())
		})
	}
}

func TestParseManyNames(t *testing.T) {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i := range 20 {
		b.WriteString("@n")
		b.WriteByte(byte('a' + i))
		b.WriteString(", ")
	}
	b.WriteString("@na, @nt")
	tpl, err := Parse(b.String())
	require.NoError(t, err)
	assert.Equal(t, 20, tpl.NumInput())
	assert.Len(t, tpl.ph, 22)
	assert.Equal(t, 0, tpl.ph[20].key)
	assert.Equal(t, 19, tpl.ph[21].key)
	assert.Equal(t, 7, tpl.lookupName("nh"))
	assert.Equal(t, -1, tpl.lookupName("zz"))
}

func TestParseManyNumbered(t *testing.T) {
	var b strings.Builder
	for i := 100; i >= 1; i-- {
		b.WriteString("$")
		b.WriteString(strconv.Itoa(i))
		b.WriteString(",")
	}
	tpl, err := Parse(b.String())
	require.NoError(t, err)
	assert.Equal(t, 100, tpl.NumInput())

	_, err = Parse(strings.Replace(b.String(), "$70,", "$7,", 1))
	require.ErrorContains(t, err, "uses $100 but not $70")
}
