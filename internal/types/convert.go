package types

import (
	"bytes"
	"database/sql/driver"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// ValueError reports a cell that does not hold a valid value of its
// column's type. Its message names the column, the type and the value:
//
//	deltastream: column "x" (BIGINT): value "abc" is not an integer
type ValueError struct {
	Column string // column name
	Type   string // canonical column type, see Type.String
	// Value is the cell text, cut to its first 64 bytes when longer
	// (Truncated is then true).
	Value     string
	Truncated bool
	Reason    string // what is wrong, e.g. "is not an integer"
}

// Error returns the message described on ValueError.
func (e *ValueError) Error() string {
	more := ""
	if e.Truncated {
		more = "..."
	}
	return fmt.Sprintf("deltastream: column %q (%s): value %q%s %s", e.Column, e.Type, e.Value, more, e.Reason)
}

const maxErrValue = 64

func (c *Column) valueError(cell []byte, reason string) error {
	e := &ValueError{Column: c.Name, Type: "OTHER", Reason: reason}
	if c.Type != nil {
		e.Type = c.Type.String()
	}
	v := cell
	if len(v) > maxErrValue {
		n := maxErrValue
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		v, e.Truncated = v[:n], true
	}
	e.Value = string(v)
	return e
}

// Convert converts cell, the unescaped text of a non-null cell of the
// column, into the value given for the column's kind in the package
// documentation. loc is the session time zone (nil means UTC): a
// TIMESTAMP_LTZ value without a zone suffix is read as a wall time in
// loc, and every TIMESTAMP_LTZ value is returned in loc.
//
// The result never aliases cell, so the caller may reuse cell's memory.
// Conversion is liberal in the forms it accepts and strict about values: a
// value that is not valid for the type (a fraction in an integer, an
// integer beyond int64, an impossible date...) gives a *ValueError. The
// caller handles JSON null cells (as nil) itself.
//
// Details: integers accept a sign and exact decimal or exponent forms
// ("1.5E1" is 15, "1.25E1" is an error). An integer that fits int64 but
// not the column's declared width ("255" in a TINYINT column, which the
// service was seen to send) is returned as it is: the value is always an
// int64, and a Scan into a narrower Go integer reports the overflow.
// Floats accept Java's "NaN", "Infinity" and "-Infinity"; overflow is an
// error. DECIMAL text is validated and returned unchanged. Binary values
// may omit base64 padding and may use the URL-safe alphabet. Dates and
// times take years 0000-9999,
// 0 to 9 fraction digits, and Java's short form without seconds ("13:10",
// returned by TIME as "13:10:00"). Timestamps take a space or 'T' between
// date and time, and a date alone means midnight. A TIMESTAMP_LTZ zone
// suffix is Z, ±hh, ±hhmm, ±hh:mm, ±hhmmss or ±hh:mm:ss, optionally after
// one space; should a plain TIMESTAMP value carry one, the instant is
// returned in UTC. A TIMESTAMP_TZ value is returned in the zone it carries
// (time.UTC for Z and zero offsets, else a fixed zone with that offset);
// one without a zone is read as a wall time in loc. A TIME value may carry
// a zone suffix too ("13:10:02.0474381Z", "13:10:02+01:00"): it is checked
// and kept in the returned text.
func (c *Column) Convert(cell []byte, loc *time.Location) (driver.Value, error) {
	return c.ConvertRow(cell, loc, nil)
}

// ConvertRow is Convert taking the strings it returns from strs, the
// block of the row being converted (see RowStrings).
func (c *Column) ConvertRow(cell []byte, loc *time.Location, strs *RowStrings) (driver.Value, error) {
	k := c.kind()
	switch k {
	case KindTinyInt, KindSmallInt, KindInteger, KindBigInt:
		v, st := parseInteger(cell)
		switch {
		case st == intSyntax:
			return nil, c.valueError(cell, "is not an integer")
		case st == intFraction:
			return nil, c.valueError(cell, "is not an integer (it has a fractional part)")
		case st == intRange:
			return nil, c.valueError(cell, "is out of range for a 64-bit integer")
		}
		return v, nil
	case KindFloat, KindDouble:
		return c.convertFloat(cell)
	case KindDecimal:
		if !isDecimal(cell) {
			return nil, c.valueError(cell, "is not a decimal number")
		}
		return strs.String(cell), nil
	case KindBoolean:
		if v, ok := parseBool(cell); ok {
			return v, nil
		}
		return nil, c.valueError(cell, "is not a boolean (true or false)")
	case KindBinary, KindVarbinary:
		if v, ok := decodeBase64(cell); ok {
			return v, nil
		}
		return nil, c.valueError(cell, "is not base64")
	case KindDate:
		y, m, d, ok := parseDate(cell)
		if !ok || len(cell) != dateLen {
			return nil, c.valueError(cell, "is not a date (YYYY-MM-DD)")
		}
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
	case KindTime:
		return c.convertTime(cell, strs)
	case KindTimestamp:
		dt, ok := parseDateTime(cell)
		if !ok {
			return nil, c.valueError(cell, "is not a timestamp (YYYY-MM-DD hh:mm:ss[.fffffffff])")
		}
		return dt.time(time.UTC), nil
	case KindTimestampLTZ:
		dt, ok := parseDateTime(cell)
		if !ok {
			return nil, c.valueError(cell, "is not a timestamp (YYYY-MM-DD hh:mm:ss[.fffffffff][zone])")
		}
		if loc == nil {
			loc = time.UTC
		}
		return dt.time(loc), nil
	case KindTimestampTZ:
		dt, ok := parseDateTime(cell)
		if !ok {
			return nil, c.valueError(cell, "is not a timestamp (YYYY-MM-DD hh:mm:ss[.fffffffff][zone])")
		}
		if loc == nil {
			loc = time.UTC
		}
		return dt.timeInOwnZone(loc), nil
	}
	return strs.String(cell), nil
}

func (c *Column) convertFloat(cell []byte) (driver.Value, error) {
	// strconv also accepts hexadecimal floats and digit separators, which
	// no DeltaStream value uses.
	if len(cell) == 0 || hasFloatExtras(cell) {
		return nil, c.valueError(cell, "is not a number")
	}
	// The string does not escape (the error is only inspected), so it can
	// view cell without a copy.
	f, err := strconv.ParseFloat(unsafe.String(&cell[0], len(cell)), 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return nil, c.valueError(cell, "is out of range for "+kindNames[c.Type.kind])
		}
		return nil, c.valueError(cell, "is not a number")
	}
	return f, nil
}

// hasFloatExtras reports the characters of hexadecimal floats and digit
// separators, which strconv accepts and no DeltaStream value uses.
func hasFloatExtras(b []byte) bool {
	for _, c := range b {
		switch c {
		case '_', 'x', 'X', 'p', 'P':
			return true
		}
	}
	return false
}

func (c *Column) convertTime(cell []byte, strs *RowStrings) (driver.Value, error) {
	_, _, _, _, n, ok := parseClock(cell)
	if ok && n < len(cell) {
		_, ok = parseZone(cell[n:])
	}
	if !ok {
		return nil, c.valueError(cell, "is not a time of day (hh:mm:ss[.fffffffff][zone])")
	}
	if n == clockShortLen { // hh:mm: Java leaves out zero seconds
		return string(cell[:n]) + ":00" + string(cell[n:]), nil
	}
	return strs.String(cell), nil
}

// intStatus is the outcome of parseInteger.
type intStatus uint8

const (
	intOK       intStatus = iota
	intSyntax             // not a number
	intFraction           // a number, but not a whole one
	intRange              // a whole number outside the int64 range
)

// maxExp caps exponents: far beyond any digit count an input can have, and
// far from overflowing int.
const maxExp = 1 << 30

// parseInteger parses an integer written as [sign]digits, or exactly in
// decimal or scientific notation ([sign]digits[.digits][(e|E)[sign]digits]),
// such as "9.223372036854775807E+18" or "1.5E1". A value with a nonzero
// fractional part is intFraction, one outside int64 is intRange.
func parseInteger(b []byte) (int64, intStatus) {
	i, neg := 0, false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i++
	}
	// Fast path: up to 18 plain digits cannot overflow.
	if n := len(b) - i; n > 0 && n <= 18 {
		var v int64
		j := i
		for ; j < len(b) && isDigit(b[j]); j++ {
			v = v*10 + int64(b[j]-'0')
		}
		if j == len(b) {
			if neg {
				v = -v
			}
			return v, intOK
		}
	}
	intStart := i
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	intDigits := b[intStart:i]
	if len(intDigits) == 0 {
		return 0, intSyntax
	}
	var frac []byte
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		frac = b[start:i]
		if len(frac) == 0 {
			return 0, intSyntax
		}
	}
	exp := 0
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		start := i
		for ; i < len(b) && isDigit(b[i]); i++ {
			if exp < maxExp {
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if i == start {
			return 0, intSyntax
		}
		exp = min(exp, maxExp)
		if eneg {
			exp = -exp
		}
	}
	if i != len(b) {
		return 0, intSyntax
	}
	// The value is digits × 10^exp10, digits being intDigits then frac.
	n := len(intDigits) + len(frac)
	digit := func(k int) byte {
		if k < len(intDigits) {
			return intDigits[k]
		}
		return frac[k-len(intDigits)]
	}
	exp10 := exp - len(frac)
	lo, hi := 0, n // significant digits are digit(lo..hi-1)
	for lo < hi && digit(lo) == '0' {
		lo++
	}
	for hi > lo && digit(hi-1) == '0' {
		hi--
		exp10++
	}
	if lo == hi {
		return 0, intOK
	}
	if exp10 < 0 {
		return 0, intFraction
	}
	if hi-lo+exp10 > 19 {
		return 0, intRange
	}
	var u uint64 // at most 19 digits: below 10^19 < 2^64
	for k := lo; k < hi; k++ {
		u = u*10 + uint64(digit(k)-'0')
	}
	for ; exp10 > 0; exp10-- {
		u *= 10
	}
	if neg {
		if u > 1<<63 {
			return 0, intRange
		}
		return int64(-u), intOK
	}
	if u > math.MaxInt64 {
		return 0, intRange
	}
	return int64(u), intOK
}

// isDecimal reports whether b is [sign]digits[.digits][(e|E)[sign]digits]
// with at least one mantissa digit (".5" and "5." are accepted too).
func isDecimal(b []byte) bool {
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && isDigit(b[i]) {
			i++
		}
		if i == start {
			return false
		}
	}
	return i == len(b)
}

// parseBool parses "true" or "false" in any case.
func parseBool(b []byte) (bool, bool) {
	switch {
	case len(b) == 4 && b[0]|0x20 == 't' && b[1]|0x20 == 'r' && b[2]|0x20 == 'u' && b[3]|0x20 == 'e':
		return true, true
	case len(b) == 5 && b[0]|0x20 == 'f' && b[1]|0x20 == 'a' && b[2]|0x20 == 'l' && b[3]|0x20 == 's' && b[4]|0x20 == 'e':
		return false, true
	}
	return false, false
}

// decodeBase64 decodes standard base64 into a new slice (never nil, so an
// empty value differs from NULL). Padding is optional; line breaks are
// ignored; the URL-safe alphabet is accepted too.
func decodeBase64(b []byte) ([]byte, bool) {
	src := b
	for pad := 0; pad < 2 && len(src) > 0 && src[len(src)-1] == '='; pad++ {
		src = src[:len(src)-1]
	}
	dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
	n, err := base64.RawStdEncoding.Decode(dst, src)
	if err != nil && bytes.ContainsAny(src, "-_") {
		n, err = base64.RawURLEncoding.Decode(dst, src)
	}
	if err != nil {
		return nil, false
	}
	return dst[:n:n], true
}
