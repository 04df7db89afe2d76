package bind

import (
	"database/sql/driver"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// maxFuzzArgs bounds the arguments built per fuzz input.
const maxFuzzArgs = 64

// fuzzArg picks the argument for placeholder k from the fuzzed values;
// kinds selects its type.
func fuzzArg(k int, kinds []byte, s string, i int64, f float64, b []byte, flag bool, sec int64) any {
	kind := byte(k)
	if len(kinds) > 0 {
		kind = kinds[k%len(kinds)]
	}
	switch kind % 10 {
	case 0:
		return s
	case 1:
		return i
	case 2:
		return -i
	case 3:
		return f
	case 4:
		return b
	case 5:
		return flag
	case 6:
		return nil
	case 7:
		// Mostly in range, sometimes not, to exercise both paths.
		return time.Unix(sec%(1<<38), i%1e9).In(time.FixedZone("", int(i%50000)))
	case 8:
		return float32(f)
	default:
		return uint64(i)
	}
}

// FuzzRender checks the core invariant: whatever the template and the
// arguments, the rendered statement tokenizes into the template's tokens with
// each placeholder replaced by exactly one literal token (a negative number
// being a unary minus and a number token, as SQL lexes it), or rendering
// fails with an error. Text fused across a placeholder boundary (1--1 turning
// into a comment, 1 followed by E0, a quote closing early) shows up as a
// token mismatch.
func FuzzRender(f *testing.F) {
	seeds := []string{
		"INSERT INTO t VALUES (?, ?, ?);",
		"SELECT $1, $2, $1 FROM t WHERE a = $2",
		"SELECT @a, @b FROM t WHERE c = @a",
		"SELECT 1-?, 1 -?, -?, ?-1",
		"SELECT '?', \"?\", `?`, -- ?\n /* ? */ ?",
		"SELECT TIMESTAMP ?, X?, E?, U&?, ?E0, ?.5",
		"SELECT a$1, $1, é@x, @@y, @z",
		"SELECT /* a /* b */ ? */",
		"SELECT ? // x",
	}
	for i, q := range seeds {
		f.Add(q, "x' OR '1'='1 --", int64(i)-3, -1.5e-7, []byte{0, 1, 0xff}, i%2 == 0, int64(1700000000), []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9})
	}
	f.Fuzz(func(t *testing.T, query, s string, i int64, fl float64, b []byte, flag bool, sec int64, kinds []byte) {
		tpl, err := Parse(query)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "deltastream: "), err.Error())
			return
		}
		n := tpl.NumInput()
		require.GreaterOrEqual(t, n, 0)
		if n > maxFuzzArgs {
			return
		}
		args := make([]driver.NamedValue, n)
		for k := range args {
			args[k] = driver.NamedValue{Ordinal: k + 1, Value: fuzzArg(k, kinds, s, i, fl, b, flag, sec)}
			if tpl.style == styleNamed {
				args[k].Name = tpl.names[k]
			}
		}
		out, err := tpl.Render(args)
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "deltastream: argument "), err.Error())
			return
		}
		if n == 0 {
			require.Equal(t, query, out)
			return
		}
		checkStructure(t, query, args, out)
	})
}

// checkStructure verifies that out is query with each placeholder replaced
// by exactly one literal token, using the test tokenizer.
func checkStructure(t *testing.T, query string, args []driver.NamedValue, out string) {
	t.Helper()
	tmpl, err := tokens(query)
	require.NoError(t, err, "Parse accepted a template with placeholders that does not tokenize")
	var expected []token
	positional := 0
	for _, tok := range tmpl {
		if tok.kind != tokPlaceholder {
			expected = append(expected, tok)
			continue
		}
		arg := placeholderArg(t, tok.text, &positional, args)
		lit, err := Value(arg.Value)
		require.NoError(t, err)
		expected = append(expected, literalTokens(t, lit)...)
	}
	expected = mergeTimestamps(expected)
	got, err := tokens(out)
	require.NoError(t, err, "rendered: %q", out)
	require.Equal(t, expected, got, "template %q rendered as %q", query, out)
}

// literalTokens returns the tokens of a rendered literal after checking that
// they are one literal token, or a unary minus and one number token: SQL has
// no negative number tokens, so a negative number is always two tokens, in
// the statement as in the literal alone.
func literalTokens(t *testing.T, lit string) []token {
	t.Helper()
	toks, err := tokens(lit)
	require.NoError(t, err)
	if len(toks) == 2 && toks[0] == (token{tokOther, "-"}) && toks[1].kind == tokNumber {
		return toks
	}
	require.Len(t, toks, 1, "literal %q is not one token", lit)
	require.True(t, isLiteral(toks[0]), "%q is not a literal token", lit)
	return toks
}

// placeholderArg finds the argument for the placeholder token text,
// independently of the Template's own bookkeeping.
func placeholderArg(t *testing.T, text string, positional *int, args []driver.NamedValue) driver.NamedValue {
	t.Helper()
	switch text[0] {
	case '?':
		*positional++
		require.LessOrEqual(t, *positional, len(args))
		return args[*positional-1]
	case '$':
		n, err := strconv.Atoi(text[1:])
		require.NoError(t, err)
		require.LessOrEqual(t, n, len(args))
		return args[n-1]
	default:
		for _, a := range args {
			if a.Name == text[1:] {
				return a
			}
		}
		require.Failf(t, "no argument", "for %s", text)
		return driver.NamedValue{}
	}
}

// FuzzValue checks that every string either renders as one string literal
// token that reads back as the input or is rejected, and likewise for bytes
// and floats.
func FuzzValue(f *testing.F) {
	f.Add("it's", []byte{0, 0xff}, 1.5)
	f.Add("a\nb", []byte{}, math.Inf(1))
	f.Add("\xff--/*", []byte(nil), math.Copysign(0, -1))
	f.Fuzz(func(t *testing.T, s string, b []byte, fl float64) {
		if lit, err := QuoteString(s); err == nil {
			toks, err := tokens(lit)
			require.NoError(t, err)
			require.Equal(t, []token{{tokString, lit}}, toks)
			require.Equal(t, s, strings.ReplaceAll(lit[1:len(lit)-1], "''", "'"))
			v, err := Value(s)
			require.NoError(t, err)
			require.Equal(t, lit, v)
		} else {
			require.True(t, strings.ContainsAny(s, "\n\r\x00") || !utf8.ValidString(s), "rejected %q: %v", s, err)
		}

		lit, err := Value(b)
		require.NoError(t, err)
		if b == nil {
			require.Equal(t, "NULL", lit)
		} else {
			toks, err := tokens(lit)
			require.NoError(t, err)
			require.Equal(t, []token{{tokBytes, lit}}, toks)
		}

		lit, err = Value(fl)
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		back, err := strconv.ParseFloat(lit, 64)
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(fl), math.Float64bits(back), lit)
		toks := literalTokens(t, lit)
		require.Equal(t, tokNumber, toks[len(toks)-1].kind)
	})
}
