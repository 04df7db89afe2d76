package bind

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// This file holds a small SQL tokenizer used only by the tests, written
// independently of the scanner in template.go so that the fuzz test checks
// one against the other. It skips whitespace and comments and produces
// tokens for everything else.

// tokKind classifies a token.
type tokKind int

const (
	tokIdent       tokKind = iota // word: letters, digits, _ and $; also NULL, TRUE, FALSE
	tokNumber                     // 12, 1.5, 1.5E-3 (unsigned: - is an operator, as in SQL)
	tokString                     // '...'
	tokBytes                      // X'...'
	tokTimestamp                  // TIMESTAMP '...', formed by mergeTimestamps
	tokQuotedIdent                // "..." or `...`
	tokPlaceholder                // ?, $N or @name
	tokOther                      // any other single rune
)

// token is one token: its kind and its exact text.
type token struct {
	kind tokKind
	text string
}

func (t token) String() string { return fmt.Sprintf("%d:%q", t.kind, t.text) }

// isSpaceByte reports ASCII whitespace.
func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// identRune reports whether r continues a word.
func identRune(r rune) bool {
	return r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// lastRuneIsIdent reports whether the rune before s[i] continues a word.
func lastRuneIsIdent(s string, i int) bool {
	if i == 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return identRune(r)
}

// quotedEnd returns the end of the quoted text at s[i] (quote doubled to
// escape), or an error when it is unterminated.
func quotedEnd(s string, i int) (int, error) {
	q := s[i]
	j := i + 1
	for j < len(s) {
		if s[j] != q {
			j++
			continue
		}
		if j+1 < len(s) && s[j+1] == q {
			j += 2
			continue
		}
		return j + 1, nil
	}
	return 0, fmt.Errorf("unterminated %c at %d", q, i)
}

// rawTokens tokenizes s. TIMESTAMP literals are not merged yet.
func rawTokens(s string) ([]token, error) {
	var out []token
	phEnd := -1 // end of the last placeholder
	// attached reports whether s[i] continues a word.
	attached := func(i int) bool { return i != phEnd && lastRuneIsIdent(s, i) }
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpaceByte(c):
			i++
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case strings.HasPrefix(s[i:], "/*"):
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return nil, fmt.Errorf("unterminated comment at %d", i)
			}
			i += 2 + k + 2
		case c == '\'' || c == '"' || c == '`':
			end, err := quotedEnd(s, i)
			if err != nil {
				return nil, err
			}
			kind := tokString
			if c != '\'' {
				kind = tokQuotedIdent
			}
			out = append(out, token{kind, s[i:end]})
			i = end
		case (c == 'X' || c == 'x') && i+1 < len(s) && s[i+1] == '\'' && !lastRuneIsIdent(s, i):
			end, err := quotedEnd(s, i+1)
			if err != nil {
				return nil, err
			}
			out = append(out, token{tokBytes, s[i:end]})
			i = end
		case c >= '0' && c <= '9':
			end := numberEnd(s, i)
			out = append(out, token{tokNumber, s[i:end]})
			i = end
		case c == '?':
			out = append(out, token{tokPlaceholder, "?"})
			i++
			phEnd = i
		case c == '@':
			j := i + 1
			r, _ := utf8.DecodeRuneInString(s[j:])
			if attached(i) || (i > 0 && s[i-1] == '@') || r == '@' || !unicode.IsLetter(r) {
				out = append(out, token{tokOther, "@"})
				i++
				continue
			}
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += size
			}
			out = append(out, token{tokPlaceholder, s[i:j]})
			i, phEnd = j, j
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !identRune(r) {
				out = append(out, token{tokOther, s[i : i+size]})
				i += size
				continue
			}
			j := i + size
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !identRune(r) {
					break
				}
				j += size
			}
			word := s[i:j]
			kind := tokIdent
			if c == '$' && len(word) > 1 && !attached(i) && strings.Trim(word[1:], "0123456789") == "" {
				kind = tokPlaceholder
				phEnd = j
			}
			out = append(out, token{kind, word})
			i = j
		}
	}
	return out, nil
}

// numberEnd returns the end of the number starting at s[i].
func numberEnd(s string, i int) int {
	digits := func(i int) int {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i
	}
	i = digits(i)
	if i < len(s) && s[i] == '.' {
		i = digits(i + 1)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = digits(j)
		}
	}
	return i
}

// mergeTimestamps joins the word TIMESTAMP and a string right after it into
// one TIMESTAMP literal token.
func mergeTimestamps(in []token) []token {
	out := make([]token, 0, len(in))
	for i := 0; i < len(in); i++ {
		if in[i].kind == tokIdent && strings.EqualFold(in[i].text, "TIMESTAMP") && i+1 < len(in) && in[i+1].kind == tokString {
			out = append(out, token{tokTimestamp, "TIMESTAMP " + in[i+1].text})
			i++
			continue
		}
		out = append(out, in[i])
	}
	return out
}

// tokens tokenizes s completely.
func tokens(s string) ([]token, error) {
	raw, err := rawTokens(s)
	if err != nil {
		return nil, err
	}
	return mergeTimestamps(raw), nil
}

// isLiteral reports whether tok is a single SQL literal.
func isLiteral(tok token) bool {
	switch tok.kind {
	case tokNumber, tokString, tokBytes, tokTimestamp:
		return true
	case tokIdent:
		switch tok.text {
		case "NULL", "TRUE", "FALSE":
			return true
		}
	}
	return false
}

func TestTestTokenizer(t *testing.T) {
	tests := []struct {
		in   string
		want []token
	}{
		{"SELECT a, 'x''y' FROM \"t\"\"1\"", []token{{tokIdent, "SELECT"}, {tokIdent, "a"}, {tokOther, ","}, {tokString, "'x''y'"}, {tokIdent, "FROM"}, {tokQuotedIdent, `"t""1"`}}},
		{"1- -1 -- c ?\n/* ? */ x", []token{{tokNumber, "1"}, {tokOther, "-"}, {tokOther, "-"}, {tokNumber, "1"}, {tokIdent, "x"}}},
		{"1-1", []token{{tokNumber, "1"}, {tokOther, "-"}, {tokNumber, "1"}}},
		{"-1.5E-3 1e 2.", []token{{tokOther, "-"}, {tokNumber, "1.5E-3"}, {tokNumber, "1"}, {tokIdent, "e"}, {tokNumber, "2."}}},
		{"X'0aff' ax'00'", []token{{tokBytes, "X'0aff'"}, {tokIdent, "ax"}, {tokString, "'00'"}}},
		{"timestamp  '2020-01-01 00:00:00'", []token{{tokTimestamp, "TIMESTAMP '2020-01-01 00:00:00'"}}},
		{"? $1 $12 a$1 $1a @n @@n a@n @ `q?`", []token{
			{tokPlaceholder, "?"}, {tokPlaceholder, "$1"}, {tokPlaceholder, "$12"}, {tokIdent, "a$1"}, {tokIdent, "$1a"},
			{tokPlaceholder, "@n"}, {tokOther, "@"}, {tokOther, "@"}, {tokIdent, "n"}, {tokIdent, "a"}, {tokOther, "@"}, {tokIdent, "n"},
			{tokOther, "@"}, {tokQuotedIdent, "`q?`"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := tokens(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	for _, bad := range []string{"'x", `"x`, "`x", "/* x", "X'00"} {
		_, err := tokens(bad)
		require.Error(t, err, bad)
	}
}
