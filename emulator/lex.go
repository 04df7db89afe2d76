package emulator

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of DeltaStream SQL.
type tokKind uint8

const (
	tokEOF    tokKind = iota
	tokIdent          // unquoted identifier or keyword; text is lower-cased
	tokQuoted         // "quoted" identifier; text is unescaped, case kept
	tokString         // 'string' literal; text is unescaped
	tokNumber         // numeric literal; text as written
	tokPunct          // operator or punctuation; text as written
)

// token is one lexical token. pos is its byte offset in the statement.
type token struct {
	kind tokKind
	text string
	pos  int
}

// is reports whether t is the unquoted keyword kw (lower case).
func (t token) is(kw string) bool { return t.kind == tokIdent && t.text == kw }

// isPunct reports whether t is the punctuation p.
func (t token) isPunct(p string) bool { return t.kind == tokPunct && t.text == p }

// isName reports whether t can name an object.
func (t token) isName() bool { return t.kind == tokIdent || t.kind == tokQuoted }

// twoCharOps are the operators of two characters, longest match first.
var twoCharOps = []string{"<=", ">=", "<>", "!=", "||", "::"}

// lex splits a statement into tokens. It fails with a 42601 error that
// names the position of an unterminated literal or a stray character.
func lex(sql string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, syntaxAt(sql, i, "unterminated comment")
			}
			i += end + 4
		case c == '\'':
			s, n, ok := quoted(sql[i:], '\'')
			if !ok {
				return nil, syntaxAt(sql, i, "unterminated string literal")
			}
			toks = append(toks, token{tokString, s, i})
			i += n
		case c == '"':
			s, n, ok := quoted(sql[i:], '"')
			if !ok {
				return nil, syntaxAt(sql, i, "unterminated quoted identifier")
			}
			if s == "" {
				return nil, syntaxAt(sql, i, "zero-length quoted identifier")
			}
			toks = append(toks, token{tokQuoted, s, i})
			i += n
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(sql) && sql[i+1] >= '0' && sql[i+1] <= '9':
			n := number(sql[i:])
			toks = append(toks, token{tokNumber, sql[i : i+n], i})
			i += n
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)) || c >= utf8.RuneSelf:
			start := i
			for i < len(sql) {
				r, n := utf8.DecodeRuneInString(sql[i:])
				if r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r) {
					i += n
					continue
				}
				break
			}
			if i == start {
				return nil, syntaxAt(sql, i, "unexpected character")
			}
			toks = append(toks, token{tokIdent, strings.ToLower(sql[start:i]), start})
		default:
			op := ""
			for _, o := range twoCharOps {
				if strings.HasPrefix(sql[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				if !strings.ContainsRune("(),;.*=<>+-/%[]", rune(c)) {
					return nil, syntaxAt(sql, i, "unexpected character "+quoteText(string(c)))
				}
				op = string(c)
			}
			toks = append(toks, token{tokPunct, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tokEOF, "", len(sql)}), nil
}

// quoted reads a literal enclosed in q where a doubled q escapes it. It
// returns the unescaped text and the number of bytes read.
func quoted(s string, q byte) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != q {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == q {
			b.WriteByte(q)
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// number returns the length of the numeric literal at the start of s:
// digits, an optional fraction and an optional exponent.
func number(s string) int {
	i := 0
	digits := func() {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(s) && s[i] == '.' {
		i++
		digits()
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			i = j
			digits()
		}
	}
	return i
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(sql string, pos int) (line, col int) {
	pos = min(max(pos, 0), len(sql))
	line = 1 + strings.Count(sql[:pos], "\n")
	col = 1 + utf8.RuneCountInString(sql[strings.LastIndexByte(sql[:pos], '\n')+1:pos])
	return line, col
}
