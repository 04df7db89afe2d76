// Package statements finds where the SQL statements typed into the shell
// begin and end, and classifies them (secrets, meta commands) without a
// round trip to the service.
//
// The lexical rules are DeltaStream's (Calcite/Flink): string literals in
// single quotes with ” as the escape, identifiers in double quotes with
// "" as the escape, -- line comments and /* */ block comments that do not
// nest. There are no backslash escapes.
package statements

import "strings"

// state is where the scanner stands at the end of some text.
type state uint8

const (
	stNormal state = iota
	stString
	stIdent
	stLineComment
	stBlockComment
)

// Split returns the complete statements of text, each ending with its
// top-level semicolon and trimmed of surrounding space, and the text after
// the last one (an unfinished statement, possibly blank). Statements that
// hold nothing but space and comments are dropped. Split never fails: text
// with an unterminated quote or comment is returned as the rest.
func Split(text string) (stmts []string, rest string) {
	start := 0
	st := stNormal
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch st {
		case stNormal:
			switch c {
			case '\'':
				st = stString
			case '"':
				st = stIdent
			case '-':
				if i+1 < len(text) && text[i+1] == '-' {
					st = stLineComment
					i++
				}
			case '/':
				if i+1 < len(text) && text[i+1] == '*' {
					st = stBlockComment
					i++
				}
			case ';':
				if s := strings.TrimSpace(text[start : i+1]); !IsBlank(s[:len(s)-1]) {
					stmts = append(stmts, s)
				}
				start = i + 1
			}
		case stString:
			if c == '\'' {
				st = stNormal // '' is two adjacent literals for the scanner: same result
			}
		case stIdent:
			if c == '"' {
				st = stNormal
			}
		case stLineComment:
			if c == '\n' {
				st = stNormal
			}
		case stBlockComment:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				st = stNormal
				i++
			}
		}
	}
	return stmts, text[start:]
}

// IsBlank reports whether text holds nothing but white space and comments
// (an unterminated block comment counts as a comment).
func IsBlank(text string) bool {
	return strings.TrimSpace(StripComments(text)) == ""
}

// StripComments returns text without its comments, each replaced by one
// space, so that a multi-line statement can be written on one line (as in
// the history file) without a -- comment swallowing what follows it.
// Quoted text is kept as it is.
func StripComments(text string) string {
	if !strings.Contains(text, "--") && !strings.Contains(text, "/*") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	st := stNormal
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch st {
		case stNormal:
			switch {
			case c == '\'':
				st = stString
			case c == '"':
				st = stIdent
			case c == '-' && i+1 < len(text) && text[i+1] == '-':
				st = stLineComment
				i++
				b.WriteByte(' ')
				continue
			case c == '/' && i+1 < len(text) && text[i+1] == '*':
				st = stBlockComment
				i++
				b.WriteByte(' ')
				continue
			}
			b.WriteByte(c)
		case stString, stIdent:
			if (st == stString && c == '\'') || (st == stIdent && c == '"') {
				st = stNormal
			}
			b.WriteByte(c)
		case stLineComment:
			if c == '\n' {
				st = stNormal
				b.WriteByte(c)
			}
		case stBlockComment:
			if c == '*' && i+1 < len(text) && text[i+1] == '/' {
				st = stNormal
				i++
			}
		}
	}
	return b.String()
}

// OneLine joins the lines of a statement with single spaces after removing
// its comments; quoted text keeps its line breaks (DeltaStream rejects
// literals that span lines anyway).
func OneLine(stmt string) string {
	s := StripComments(stmt)
	var b strings.Builder
	b.Grow(len(s))
	st := stNormal
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if st == stNormal && (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		switch {
		case st == stNormal && c == '\'':
			st = stString
		case st == stNormal && c == '"':
			st = stIdent
		case st == stString && c == '\'', st == stIdent && c == '"':
			st = stNormal
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Terminated returns stmt ending with a semicolon, adding one when the
// statement's last token is not one. DeltaStream expects every statement
// to end with ';'.
func Terminated(stmt string) string {
	s := strings.TrimSpace(stmt)
	if strings.HasSuffix(strings.TrimSpace(StripComments(s)), ";") {
		return s
	}
	if strings.Contains(s, "--") {
		return s + "\n;"
	}
	return s + ";"
}
