package render

import (
	"strconv"
	"unicode/utf8"
)

// needsEscape reports whether s holds a control character (C0, DEL or C1)
// other than a line break when keepNewline is set.
func needsEscape(s []byte, keepNewline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			if c == '\n' && keepNewline {
				continue
			}
			return true
		}
		if c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f {
			return true
		}
	}
	return false
}

// appendEscaped appends s with every control character written as a
// visible escape (\t, \r, \x1b, \u009b), so that text from the server
// cannot move the cursor, change colors or retitle a terminal. Line breaks
// stay when keepNewline is set. Invalid UTF-8 is kept: terminals show it
// as a replacement character.
func appendEscaped(dst, s []byte, keepNewline bool) []byte {
	if !needsEscape(s, keepNewline) {
		return append(dst, s...)
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n' && keepNewline:
			dst = append(dst, c)
		case c == '\n':
			dst = append(dst, `\n`...)
		case c == '\t':
			dst = append(dst, `\t`...)
		case c == '\r':
			dst = append(dst, `\r`...)
		case c < 0x20 || c == 0x7f:
			dst = append(dst, `\x`...)
			dst = appendHex2(dst, c)
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(s[i:])
			if r >= 0x80 && r <= 0x9f {
				dst = append(dst, `\u00`...)
				dst = appendHex2(dst, byte(r))
			} else {
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		default:
			dst = append(dst, c)
		}
		i++
	}
	return dst
}

func appendHex2(dst []byte, c byte) []byte {
	if c < 0x10 {
		dst = append(dst, '0')
	}
	return strconv.AppendUint(dst, uint64(c), 16)
}

// Escape returns s with control characters made visible, line breaks
// included: the form for error messages and other server text that the
// shell prints to a terminal.
func Escape(s string) string {
	if !needsEscape([]byte(s), false) {
		return s
	}
	return string(appendEscaped(nil, []byte(s), false))
}
