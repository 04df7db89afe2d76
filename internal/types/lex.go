package types

import (
	"fmt"
	"strings"
)

// tokKind is the kind of a lexical token of a type string.
type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // identifier or keyword, as written
	tNumber         // unsigned decimal digits
	tQuoted         // "identifier" or `identifier`, unescaped
	tString         // 'string literal', unescaped
	tPunct          // one of < > ( ) , *
)

// token is one lexical token; text is the word, the digits, the unescaped
// quoted text, or the punctuation character.
type token struct {
	kind     tokKind
	text     string
	pos, end int // byte offsets in the source
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tWord:
		return fmt.Sprintf("word %q", t.text)
	case tNumber:
		return "number " + t.text
	case tQuoted:
		return fmt.Sprintf("quoted name %q", t.text)
	case tString:
		return "string literal"
	}
	return "'" + t.text + "'"
}

// lexer produces tokens on demand with up to two tokens of look-ahead, so a
// huge hostile input is never tokenized past the point of failure.
type lexer struct {
	src  string
	off  int
	buf  [2]token
	nbuf int
	err  error
	last int // end offset of the last token returned by next
}

func (l *lexer) fill(n int) {
	for l.nbuf < n {
		l.buf[l.nbuf] = l.scan()
		l.nbuf++
	}
}

// peek returns the i-th token ahead (0 or 1) without consuming it.
func (l *lexer) peek(i int) token {
	l.fill(i + 1)
	return l.buf[i]
}

// next consumes and returns the next token.
func (l *lexer) next() token {
	l.fill(1)
	t := l.buf[0]
	l.buf[0] = l.buf[1]
	l.nbuf--
	if t.kind != tEOF {
		l.last = t.end
	}
	return t
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isWordByte(c byte) bool { return isWordStart(c) || isDigit(c) }

// scan reads one token at l.off. On a lexical error it records l.err and
// returns tEOF, which makes the parser stop.
func (l *lexer) scan() token {
	if l.err != nil {
		return token{kind: tEOF, pos: len(l.src), end: len(l.src)}
	}
	s := l.src
	i := l.off
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) {
		l.off = i
		return token{kind: tEOF, pos: i, end: i}
	}
	start := i
	c := s[i]
	switch {
	case isWordStart(c):
		for i < len(s) && isWordByte(s[i]) {
			i++
		}
		l.off = i
		return token{kind: tWord, text: s[start:i], pos: start, end: i}
	case isDigit(c):
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		l.off = i
		return token{kind: tNumber, text: s[start:i], pos: start, end: i}
	case c == '"' || c == '`' || c == '\'':
		text, end, ok := unquote(s, i)
		if !ok {
			l.err = syntaxErr(s, start, "unterminated quoted text")
			l.off = len(s)
			return token{kind: tEOF, pos: len(s), end: len(s)}
		}
		l.off = end
		kind := tQuoted
		if c == '\'' {
			kind = tString
		}
		return token{kind: kind, text: text, pos: start, end: end}
	case c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == '*':
		l.off = i + 1
		return token{kind: tPunct, text: s[i : i+1], pos: start, end: i + 1}
	}
	l.err = syntaxErr(s, start, fmt.Sprintf("unexpected character %q", rune(c)))
	l.off = len(s)
	return token{kind: tEOF, pos: len(s), end: len(s)}
}

// unquote reads the quoted text starting at s[i] (the opening quote), in
// which a doubled quote stands for one. It returns the unescaped text and
// the offset after the closing quote.
func unquote(s string, i int) (string, int, bool) {
	q := s[i]
	i++
	start := i
	var b *strings.Builder
	for i < len(s) {
		if s[i] != q {
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == q { // escaped quote
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(s[start : i+1])
			i += 2
			start = i
			continue
		}
		if b == nil {
			return s[start:i], i + 1, true
		}
		b.WriteString(s[start:i])
		return b.String(), i + 1, true
	}
	return "", 0, false
}

// syntaxErr builds the error Parse returns for malformed input.
func syntaxErr(src string, off int, msg string) error {
	const maxShown = 80
	shown := src
	if len(shown) > maxShown {
		shown = shown[:maxShown] + "..."
	}
	return fmt.Errorf("deltastream: malformed column type %q: %s at offset %d", shown, msg, off)
}

// upperASCII upper-cases the ASCII letters of s and leaves every other
// byte alone, so that keywords never match through Unicode case folding
// and the bytes of non-ASCII names are kept as they are.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// equalFoldASCII reports whether s and t are equal up to ASCII case.
func equalFoldASCII(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if a >= 'a' && a <= 'z' {
			a -= 'a' - 'A'
		}
		if b >= 'a' && b <= 'z' {
			b -= 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}
