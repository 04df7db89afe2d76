package server

import "strings"

// SplitStatements splits SQL text into statements at top-level semicolons.
// Semicolons inside 'string literals', "quoted identifiers" (in both, a
// doubled quote stands for one), -- line comments and /* block comments */
// do not split. Each statement starts at its first token (whitespace and
// comments before it are dropped) and ends with its semicolon, or at the end
// of the text for a last statement without one. Pieces holding nothing but
// whitespace, comments and semicolons are dropped, so "" gives no statement.
// An unterminated literal or comment runs to the end of the text.
func SplitStatements(sql string) []string {
	var out []string
	start := -1 // index of the current statement's first token, -1 if none yet
	for i := 0; i < len(sql); i++ {
		switch c := sql[i]; c {
		case '\'', '"':
			if start < 0 {
				start = i
			}
			i = skipQuoted(sql, i, c)
		case '-':
			if i+1 < len(sql) && sql[i+1] == '-' {
				i = skipLine(sql, i)
				continue
			}
			if start < 0 {
				start = i
			}
		case '/':
			if i+1 < len(sql) && sql[i+1] == '*' {
				i = skipBlock(sql, i)
				continue
			}
			if start < 0 {
				start = i
			}
		case ';':
			if start >= 0 {
				out = append(out, sql[start:i+1])
				start = -1
			}
		case ' ', '\t', '\r', '\n', '\f', '\v':
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		if rest := strings.TrimRight(trimTrailingComments(sql[start:]), " \t\r\n\f\v"); rest != "" {
			out = append(out, rest)
		}
	}
	return out
}

// skipQuoted returns the index of the quote closing the literal opened at
// sql[i] (a doubled quote is an escape), or len(sql)-1 if it never closes.
func skipQuoted(sql string, i int, q byte) int {
	for j := i + 1; j < len(sql); j++ {
		if sql[j] == q {
			if j+1 < len(sql) && sql[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return len(sql) - 1
}

// skipLine returns the index of the newline ending the -- comment at sql[i],
// or len(sql)-1.
func skipLine(sql string, i int) int {
	if j := strings.IndexByte(sql[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(sql) - 1
}

// skipBlock returns the index of the '/' closing the block comment opened at
// sql[i], or len(sql)-1.
func skipBlock(sql string, i int) int {
	if j := strings.Index(sql[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 1
	}
	return len(sql) - 1
}

// trimTrailingComments trims whitespace and trailing comments from the
// final statement of a text that does not end with a semicolon.
func trimTrailingComments(s string) string {
	end := 0 // end of the last token seen
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			i = skipQuoted(s, i, c)
			end = i + 1
		case '-':
			if i+1 < len(s) && s[i+1] == '-' {
				i = skipLine(s, i)
				continue
			}
			end = i + 1
		case '/':
			if i+1 < len(s) && s[i+1] == '*' {
				i = skipBlock(s, i)
				continue
			}
			end = i + 1
		case ' ', '\t', '\r', '\n', '\f', '\v':
		default:
			end = i + 1
		}
	}
	return s[:end]
}
