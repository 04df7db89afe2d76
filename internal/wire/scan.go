package wire

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// The low-level JSON scanner of Decoder: values, strings, escapes,
// numbers, literals, whitespace and buffer refills.

// skipValue consumes one JSON value, validating it; depth is the nesting
// depth of the container holding it.
func (d *Decoder) skipValue(depth int) error {
	d.stack = d.stack[:0]
	for {
		// A value starts at d.r.
		if !d.skipWS() {
			return d.endErr()
		}
		var err error
		switch c := d.buf[d.r]; c {
		case '{', '[':
			if depth+len(d.stack) >= MaxNestingDepth {
				return d.fail(ErrSyntax, "exceeded max nesting depth %d", MaxNestingDepth)
			}
			d.r++
			if !d.skipWS() {
				return d.endErr()
			}
			if e := d.buf[d.r]; e == c+2 { // ']' == '['+2, '}' == '{'+2
				d.r++
				break
			}
			d.stack = append(d.stack, c)
			if c == '{' {
				err = d.skipKey()
			}
			if err != nil {
				return err
			}
			continue
		case '"':
			_, err = d.readString(nil, false)
		case 'n':
			err = d.literal("null")
		case 't':
			err = d.literal("true")
		case 'f':
			err = d.literal("false")
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			_, err = d.number(nil, false)
		default:
			return d.fail(ErrSyntax, "invalid character %s looking for a value", quoteByte(c))
		}
		if err != nil {
			return err
		}
		// After a value: close containers until one continues.
		for {
			if len(d.stack) == 0 {
				return nil
			}
			if !d.skipWS() {
				return d.endErr()
			}
			top, c := d.stack[len(d.stack)-1], d.buf[d.r]
			if c == top+2 {
				d.r++
				d.stack = d.stack[:len(d.stack)-1]
				continue
			}
			if c != ',' {
				return d.fail(ErrSyntax, "invalid character %s after a value", quoteByte(c))
			}
			d.r++
			if top == '{' {
				if err := d.skipKey(); err != nil {
					return err
				}
			}
			break
		}
	}
}

// skipKey consumes an object key and its colon.
func (d *Decoder) skipKey() error {
	if !d.skipWS() {
		return d.endErr()
	}
	if c := d.buf[d.r]; c != '"' {
		return d.fail(ErrSyntax, "invalid character %s looking for an object key", quoteByte(c))
	}
	if _, err := d.readString(nil, false); err != nil {
		return err
	}
	if !d.skipWS() {
		return d.endErr()
	}
	if c := d.buf[d.r]; c != ':' {
		return d.fail(ErrSyntax, "invalid character %s after an object key", quoteByte(c))
	}
	d.r++
	return nil
}

// strPlain marks the ASCII bytes a string holds as themselves.
var strPlain = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plain8 reports whether the 8 bytes in w are all printable ASCII other than
// '"' and '\\' (a SWAR test: no byte < 0x20, >= 0x80, == '"' or == '\\').
func plain8(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := w ^ (lo * '"')
	bs := w ^ (lo * '\\')
	// x-lo*n has a byte's high bit set, where that byte of x is below n (and
	// x has no high bits); '"' and '\\' have no high bit, so ^q and ^bs have
	// the high bits of ^w.
	return (((w-lo*0x20)|(q-lo)|(bs-lo))&^w|w)&hi == 0
}

// readString consumes the string whose opening quote is at d.r and, if
// keep, appends its unescaped contents to dst.
func (d *Decoder) readString(dst []byte, keep bool) ([]byte, error) {
	d.r++
	for {
		b := d.buf[d.r:d.w]
		i := 0
		for len(b)-i >= 8 && plain8(binary.LittleEndian.Uint64(b[i:])) {
			i += 8
		}
		for i < len(b) {
			if c := b[i]; c < utf8.RuneSelf {
				if !strPlain[c] {
					break
				}
				i++
				continue
			}
			if !utf8.FullRune(b[i:]) {
				break
			}
			rn, n := utf8.DecodeRune(b[i:])
			if rn == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		if keep {
			if len(dst)+i > cap(dst) {
				dst = grow(dst, i, d.rowLimit())
			}
			dst = append(dst, b[:i]...)
		}
		d.r += i
		if d.r == d.w {
			if !d.fill() {
				return dst, d.endErr()
			}
			continue
		}
		switch c := d.buf[d.r]; {
		case c == '"':
			d.r++
			return dst, nil
		case c == '\\':
			var err error
			if dst, err = d.escape(dst, keep); err != nil {
				return dst, err
			}
		case c < ' ':
			return dst, d.fail(ErrSyntax, "invalid character %s in string literal", quoteByte(c))
		default: // a rune cut by the buffer's end, or invalid UTF-8
			d.ensure(utf8.UTFMax)
			rn, n := utf8.DecodeRune(d.buf[d.r:d.w])
			if keep {
				if rn == utf8.RuneError && n == 1 {
					dst = utf8.AppendRune(dst, utf8.RuneError)
				} else {
					dst = append(dst, d.buf[d.r:d.r+n]...)
				}
			}
			d.r += n
		}
	}
}

// escape consumes the escape sequence at d.r, appending what it stands for.
func (d *Decoder) escape(dst []byte, keep bool) ([]byte, error) {
	if !d.ensure(2) {
		return dst, d.endErr()
	}
	var c byte
	switch e := d.buf[d.r+1]; e {
	case '"', '\\', '/':
		c = e
	case 'b':
		c = '\b'
	case 'f':
		c = '\f'
	case 'n':
		c = '\n'
	case 'r':
		c = '\r'
	case 't':
		c = '\t'
	case 'u':
		if !d.ensure(6) {
			return dst, d.endErr()
		}
		rn := hex4(d.buf[d.r:])
		if rn < 0 {
			return dst, d.fail(ErrSyntax, "invalid \\u escape %q", d.buf[d.r:d.r+6])
		}
		d.r += 6
		if utf16.IsSurrogate(rn) {
			rn2 := rune(-1)
			if d.ensure(6) {
				rn2 = hex4(d.buf[d.r:])
			}
			if rn = utf16.DecodeRune(rn, rn2); rn != utf8.RuneError {
				d.r += 6
			}
		}
		if keep {
			dst = utf8.AppendRune(dst, rn)
		}
		return dst, nil
	default:
		return dst, d.fail(ErrSyntax, "invalid character %s in string escape code", quoteByte(e))
	}
	d.r += 2
	if keep {
		dst = append(dst, c)
	}
	return dst, nil
}

// hex4 decodes `\uXXXX` at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range b[2:6] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// Number grammar states.
const (
	numStart = iota
	numMinus
	numZero // terminal
	numInt  // terminal
	numDot
	numFrac // terminal
	numE
	numESign
	numExp // terminal
)

// number consumes the JSON number at d.r and, if keep, appends its text.
func (d *Decoder) number(dst []byte, keep bool) ([]byte, error) {
	st := numStart
	for {
		if d.r == d.w && !d.fill() {
			if d.rerr != io.EOF || !(st == numZero || st == numInt || st == numFrac || st == numExp) {
				return dst, d.endErr()
			}
			return dst, nil
		}
		c := d.buf[d.r]
		digit := '0' <= c && c <= '9'
		next := -1
		switch {
		case st == numStart && c == '-':
			next = numMinus
		case (st == numStart || st == numMinus) && c == '0':
			next = numZero
		case (st == numStart || st == numMinus) && digit, st == numInt && digit:
			next = numInt
		case (st == numZero || st == numInt) && c == '.':
			next = numDot
		case (st == numDot || st == numFrac) && digit:
			next = numFrac
		case (st == numZero || st == numInt || st == numFrac) && (c == 'e' || c == 'E'):
			next = numE
		case st == numE && (c == '+' || c == '-'):
			next = numESign
		case (st == numE || st == numESign || st == numExp) && digit:
			next = numExp
		}
		if next < 0 {
			if st == numZero || st == numInt || st == numFrac || st == numExp {
				return dst, nil
			}
			return dst, d.fail(ErrSyntax, "invalid character %s in numeric literal", quoteByte(c))
		}
		if keep {
			dst = append(dst, c)
		}
		d.r++
		st = next
	}
}

// literal consumes lit (null, true or false) at d.r.
func (d *Decoder) literal(lit string) error {
	if d.w-d.r >= len(lit) && string(d.buf[d.r:d.r+len(lit)]) == lit {
		d.r += len(lit)
		return nil
	}
	for i := 0; i < len(lit); i++ {
		if d.r == d.w && !d.fill() {
			return d.endErr()
		}
		if c := d.buf[d.r]; c != lit[i] {
			return d.fail(ErrSyntax, "invalid character %s in literal %s", quoteByte(c), lit)
		}
		d.r++
	}
	return nil
}

// skipWS consumes whitespace and reports whether a byte follows at d.r.
func (d *Decoder) skipWS() bool {
	for {
		for d.r < d.w {
			if c := d.buf[d.r]; c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
				return true
			}
			d.r++
		}
		if !d.fill() {
			return false
		}
	}
}

// ensure tries to make n bytes available at d.r.
func (d *Decoder) ensure(n int) bool {
	for d.w-d.r < n {
		if !d.fill() {
			return false
		}
	}
	return true
}

// fill reads more input, reporting whether any arrived. It moves unread
// bytes to the front of the buffer, and flushes a captured header value.
func (d *Decoder) fill() bool {
	if d.rerr != nil {
		return false
	}
	if d.capturing {
		d.flushCapture()
		if d.capOver && !d.capDrop {
			d.rerr = d.fail(ErrTooLarge, "header value is longer than %d bytes", d.capMax)
			return false
		}
	}
	if d.rowStart >= 0 && d.InputOffset()-d.rowStart > int64(d.maxRow) {
		d.rerr = d.fail(ErrTooLarge, "row is longer than %d bytes", d.maxRow)
		return false
	}
	if d.r > 0 {
		n := copy(d.buf, d.buf[d.r:d.w])
		d.base += int64(d.r)
		d.capStart -= d.r
		d.r, d.w = 0, n
	}
	if d.w == len(d.buf) { // only if the buffer is smaller than one token
		d.buf = append(d.buf, make([]byte, max(len(d.buf), 16))...)
	}
	for range 100 {
		n, err := d.rd.Read(d.buf[d.w:])
		if n < 0 || n > len(d.buf)-d.w {
			d.rerr = fmt.Errorf("reader returned invalid count %d", n)
			return false
		}
		d.w += n
		if err != nil {
			d.rerr = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	d.rerr = io.ErrNoProgress
	return false
}

// endErr reports that input ran out where more was needed.
func (d *Decoder) endErr() error {
	switch e := d.rerr.(type) {
	case *DecodeError:
		return e
	case nil:
	default:
		if e != io.EOF {
			return d.fail(e, "%v", e)
		}
	}
	return d.fail(io.ErrUnexpectedEOF, "")
}

// unexpected reports byte c, which starts the value called what, as either
// the wrong type of value or invalid JSON.
func (d *Decoder) unexpected(c byte, what, problem string) error {
	kind := ""
	switch c {
	case '{':
		kind = "an object"
	case '[':
		kind = "an array"
	case '"':
		kind = "a string"
	case 't', 'f':
		kind = "a boolean"
	case 'n':
		kind = "null"
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		kind = "a number"
	default:
		return d.fail(ErrSyntax, "invalid character %s looking for %s", quoteByte(c), what)
	}
	return d.fail(ErrType, "%s %s: it is %s", what, problem, kind)
}

// fail records and returns a sticky *DecodeError of the given kind at d.r.
func (d *Decoder) fail(kind error, format string, args ...any) error {
	return d.failAt(d.InputOffset(), kind, format, args...)
}

// failAt is fail at input offset off.
func (d *Decoder) failAt(off int64, kind error, format string, args ...any) error {
	var msg string
	switch kind {
	case io.ErrUnexpectedEOF:
		msg = "unexpected end of " + d.what
	case ErrSyntax:
		msg = "malformed " + d.what
	case ErrType:
		msg = "unexpected JSON type in " + d.what
	case ErrTooLarge:
		msg = "oversized value in " + d.what
	case ErrDuplicateKey:
		msg = "duplicate key in " + d.what
	case ErrLimit:
		msg = "too many items in " + d.what
	default:
		msg = "reading " + d.what
	}
	e := &DecodeError{Msg: msg, Detail: fmt.Sprintf(format, args...), Offset: off,
		Row: -1, Cell: d.cell, Err: kind}
	if d.state == decRows {
		e.Row = d.row
	}
	d.err = e
	return e
}

// quoteByte renders c for a message, e.g. 'x' or '\x00'.
func quoteByte(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	s := strconv.QuoteRune(rune(c))
	if c >= utf8.RuneSelf {
		s = fmt.Sprintf("'\\x%02x'", c)
	}
	return s
}

// grow returns dst with room for n more bytes. Unlike append it doubles
// the capacity only up to limit (when that is enough), so that a value
// rejected at a size limit never costs more than the limit, plus the
// smaller buffers it outgrew.
func grow(dst []byte, n, limit int) []byte {
	need := len(dst) + n
	if need <= cap(dst) {
		return dst
	}
	c := max(2*cap(dst), need, 64)
	if c > limit-limit/8 { // close to the limit: go there at once
		c = max(limit, need)
	}
	out := make([]byte, len(dst), c)
	copy(out, dst)
	return out
}

// rowLimit is the most a row's cells can take before the row's size check
// fires: MaxRowBytes plus one read buffer.
func (d *Decoder) rowLimit() int {
	if d.maxRow > math.MaxInt/2 {
		return d.maxRow
	}
	return d.maxRow + len(d.buf)
}
