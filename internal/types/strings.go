package types

import "unsafe"

// RowStrings makes the strings of one row share a single allocation:
// Reset sizes a block for the row's text cells, and String copies a cell
// into it. A string it returns keeps the whole block alive, so retention
// is bounded by one row. The zero RowStrings (and a nil one) allocates
// each string on its own.
type RowStrings struct {
	buf []byte
}

// Reset starts a new row whose text cells hold n bytes in all. The block
// of the previous row is left to the strings that use it.
func (a *RowStrings) Reset(n int) {
	if n == 0 {
		a.buf = nil
		return
	}
	a.buf = make([]byte, 0, n)
}

// String returns b as a string, copied into the row's block when it fits.
func (a *RowStrings) String(b []byte) string {
	if a == nil || len(b) == 0 || cap(a.buf)-len(a.buf) < len(b) {
		return string(b)
	}
	start := len(a.buf)
	a.buf = append(a.buf, b...)
	return unsafe.String(&a.buf[start], len(b))
}

// Text reports whether Convert returns the cell's text as a string (and
// may take it from a RowStrings): DECIMAL, TIME, CHAR, VARCHAR, composite
// and unknown types.
func (c *Column) Text() bool {
	switch c.kind() {
	case KindTinyInt, KindSmallInt, KindInteger, KindBigInt, KindFloat, KindDouble,
		KindBoolean, KindBinary, KindVarbinary, KindDate, KindTimestamp, KindTimestampLTZ, KindTimestampTZ:
		return false
	}
	return true
}

func (c *Column) kind() Kind {
	if c.Type == nil {
		return KindOther
	}
	return c.Type.kind
}
