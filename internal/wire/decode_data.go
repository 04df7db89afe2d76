package wire

import (
	"errors"
	"io"
)

// The rows of an answer whose columns are not known when they arrive: the
// service writes "data" before "metadata", so a caller that has not seen
// the columns of a result yet sets the rows aside (BufferRows), reads the
// metadata (Tail), and then decodes the rows it set aside (ResetData).

// BufferRows consumes the rest of the data array Head stopped at (AtRows),
// appending its JSON text, brackets included, to dst; the rows are
// validated as JSON but not decoded. When the array is longer than limit
// bytes, the text is dropped instead and complete is false: the array is
// still consumed and validated, holding nothing, so that Tail can read the
// keys after it. Call Tail next.
func (d *Decoder) BufferRows(dst []byte, limit int) (rows []byte, complete bool, err error) {
	if d.err != nil {
		return dst, false, d.err
	}
	if d.state != decRows || d.afterRow {
		return dst, false, errors.New("wire: Decoder.BufferRows called away from the start of a data array")
	}
	saved := d.raw
	d.raw = append(dst[:0], '[')
	d.capturing, d.capStart, d.capMax, d.capDrop, d.capOver = true, d.r, limit, true, false
	err = d.skipRows()
	if err == nil {
		d.flushCapture()
	}
	d.capturing = false
	rows, complete = d.raw, !d.capOver
	d.raw = saved
	if err != nil {
		return rows[:0], false, err
	}
	d.state = decAfterData
	return rows, complete, nil
}

// skipRows consumes the rows of the data array and its closing bracket,
// checking that each row is an array or null.
func (d *Decoder) skipRows() error {
	for {
		if !d.skipWS() {
			return d.endErr()
		}
		c := d.buf[d.r]
		if d.afterRow {
			if c == ']' {
				d.r++
				return nil
			}
			if c != ',' {
				return d.fail(ErrSyntax, "invalid character %s after a row", quoteByte(c))
			}
			d.r++
			if !d.skipWS() {
				return d.endErr()
			}
			c = d.buf[d.r]
		}
		if c != '[' && c != 'n' {
			return d.unexpected(c, "a row", "is not an array")
		}
		d.rowStart = d.InputOffset() // for the row's size limit, checked while filling
		err := d.skipValue(2)
		if err == nil && d.InputOffset()-d.rowStart > int64(d.maxRow) {
			err = d.fail(ErrTooLarge, "row is longer than %d bytes", d.maxRow)
		}
		d.rowStart = -1
		if err != nil {
			return err
		}
		d.afterRow = true
		d.row++
	}
}

// ResetData makes d decode r, the text of a data array alone (as returned
// by BufferRows), keeping its buffers and options: Next yields the rows,
// Tail checks that the input ends after the array; Head must not be called.
// Byte offsets in errors count from offset, the position of the array in
// the body it came from.
func (d *Decoder) ResetData(r io.Reader, offset int64) {
	d.Reset(r)
	d.state, d.bare, d.base, d.what = decBare, true, offset, "data array"
}

// openBare consumes the opening of a data array read by ResetData.
func (d *Decoder) openBare() error {
	if !d.skipWS() {
		return d.endErr()
	}
	switch c := d.buf[d.r]; c {
	case '[':
		d.r++
		d.sawData = true
		d.state = decRows
		return nil
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		d.state = decClosed
		return nil
	default:
		return d.unexpected(c, "the data", "is not an array")
	}
}

// Start returns the first bytes of the input while they are still in the
// read buffer (up to its size), or nil: for an error that quotes what a body
// that is not JSON begins with. The bytes are valid until the next read.
func (d *Decoder) Start() []byte {
	if d.base != 0 || d.bare {
		return nil
	}
	return d.buf[:d.w]
}
