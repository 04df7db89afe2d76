package types

import (
	"sync"
	"time"
)

// Lengths of the fixed-width date and time forms.
const (
	dateLen       = len("2006-01-02")
	clockShortLen = len("15:04")
	clockLen      = len("15:04:05")
	maxFracDigits = 9
)

// dateTime holds the fields of a parsed timestamp.
type dateTime struct {
	year, month, day      int
	hour, minute, sec, ns int
	offset                int // seconds east of UTC, when hasZone
	hasZone               bool
}

// time returns the instant of dt: in its own zone when it has one, else as
// a wall time in loc; expressed in loc either way.
func (dt *dateTime) time(loc *time.Location) time.Time {
	if !dt.hasZone {
		return time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.minute, dt.sec, dt.ns, loc)
	}
	t := time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.minute, dt.sec-dt.offset, dt.ns, time.UTC)
	if loc == time.UTC {
		return t
	}
	return t.In(loc)
}

// timeInOwnZone returns the instant of dt in the zone it carries: UTC for
// a zero offset, else a fixed zone with its offset. Without a zone, dt is
// a wall time in loc.
func (dt *dateTime) timeInOwnZone(loc *time.Location) time.Time {
	if !dt.hasZone {
		return time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.minute, dt.sec, dt.ns, loc)
	}
	return time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.minute, dt.sec, dt.ns, fixedZone(dt.offset))
}

// fixedZones caches the locations of whole-minute zone offsets: a result
// carries few distinct ones, and time.FixedZone allocates. parseZone bounds
// offsets to ±18h, so it holds at most 2161 entries (in practice a
// handful); offsets with seconds are not cached.
var fixedZones sync.Map // int (seconds east of UTC) -> *time.Location

// fixedZone returns time.UTC for a zero offset, else an unnamed fixed zone
// of offset seconds east of UTC, as time.Parse gives for a numeric offset
// (its name formats as the offset, e.g. "+0800").
func fixedZone(offset int) *time.Location {
	if offset == 0 {
		return time.UTC
	}
	if offset%60 != 0 {
		return time.FixedZone("", offset)
	}
	if l, ok := fixedZones.Load(offset); ok {
		return l.(*time.Location)
	}
	l, _ := fixedZones.LoadOrStore(offset, time.FixedZone("", offset))
	return l.(*time.Location)
}

func num2(b []byte) (int, bool) {
	if !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// daysIn returns the number of days of month m of year y (proleptic
// Gregorian calendar).
func daysIn(m, y int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDate parses the date YYYY-MM-DD at the start of b (b may go on),
// checking that the month and day exist.
func parseDate(b []byte) (y, m, d int, ok bool) {
	if len(b) < dateLen || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	hi, ok1 := num2(b[0:2])
	lo, ok2 := num2(b[2:4])
	m, ok3 := num2(b[5:7])
	d, ok4 := num2(b[8:10])
	y = hi*100 + lo
	if !ok1 || !ok2 || !ok3 || !ok4 || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, 0, 0, false
	}
	return y, m, d, true
}

// parseClock parses hh:mm[:ss[.f]] (1 to 9 fraction digits) at the start
// of b and returns the number of bytes it used, checking that the hour,
// minute and second exist (no leap seconds).
func parseClock(b []byte) (h, mi, s, ns, n int, ok bool) {
	if len(b) < clockShortLen || b[2] != ':' {
		return 0, 0, 0, 0, 0, false
	}
	h, ok1 := num2(b[0:2])
	mi, ok2 := num2(b[3:5])
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return 0, 0, 0, 0, 0, false
	}
	n = clockShortLen
	if n == len(b) || b[n] != ':' {
		return h, mi, 0, 0, n, true
	}
	if len(b) < clockLen {
		return 0, 0, 0, 0, 0, false
	}
	s, ok = num2(b[6:8])
	if !ok || s > 59 {
		return 0, 0, 0, 0, 0, false
	}
	n = clockLen
	if n == len(b) || b[n] != '.' {
		return h, mi, s, 0, n, true
	}
	n++
	digits := 0
	for n < len(b) && isDigit(b[n]) {
		if digits == maxFracDigits {
			return 0, 0, 0, 0, 0, false
		}
		ns = ns*10 + int(b[n]-'0')
		digits++
		n++
	}
	if digits == 0 {
		return 0, 0, 0, 0, 0, false
	}
	for ; digits < maxFracDigits; digits++ {
		ns *= 10
	}
	return h, mi, s, ns, n, true
}

// maxOffsetHours is the largest zone offset Java allows.
const maxOffsetHours = 18

// parseZone parses a whole zone suffix, optionally after one space: Z, or
// a sign followed by hh, hhmm, hh:mm, hhmmss or hh:mm:ss. It returns the
// offset in seconds east of UTC.
func parseZone(b []byte) (int, bool) {
	if len(b) > 1 && b[0] == ' ' {
		b = b[1:]
	}
	if len(b) == 1 && (b[0] == 'Z' || b[0] == 'z') {
		return 0, true
	}
	if len(b) < 3 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	sign := 1
	if b[0] == '-' {
		sign = -1
	}
	b = b[1:]
	var parts [3]int
	np := 0
	colon := len(b) > 2 && b[2] == ':'
	for np < 3 && len(b) >= 2 {
		v, ok := num2(b)
		if !ok {
			return 0, false
		}
		parts[np] = v
		np++
		b = b[2:]
		if len(b) == 0 {
			break
		}
		if colon {
			if b[0] != ':' || len(b) < 3 {
				return 0, false
			}
			b = b[1:]
		}
	}
	if len(b) != 0 || parts[0] > maxOffsetHours || parts[1] > 59 || parts[2] > 59 {
		return 0, false
	}
	return sign * (parts[0]*3600 + parts[1]*60 + parts[2]), true
}

// parseDateTime parses a timestamp: a date, optionally followed by a space
// or 'T', a clock time and a zone suffix. A date alone is midnight.
func parseDateTime(b []byte) (dateTime, bool) {
	var dt dateTime
	var ok bool
	dt.year, dt.month, dt.day, ok = parseDate(b)
	if !ok {
		return dt, false
	}
	if len(b) == dateLen {
		return dt, true
	}
	if sep := b[dateLen]; sep != ' ' && sep != 'T' && sep != 't' {
		return dt, false
	}
	rest := b[dateLen+1:]
	var n int
	dt.hour, dt.minute, dt.sec, dt.ns, n, ok = parseClock(rest)
	if !ok {
		return dt, false
	}
	if rest = rest[n:]; len(rest) > 0 {
		if dt.offset, ok = parseZone(rest); !ok {
			return dt, false
		}
		dt.hasZone = true
	}
	return dt, true
}
