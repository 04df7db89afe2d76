package wire

import (
	"errors"
	"io"
	"math"
)

// Row holds the cells of one data row. Its storage is reused by every call to
// Decoder.Next or DecodeRow that is given the same Row; the zero Row is ready
// to use.
type Row struct {
	buf   []byte     // unescaped cells, back to back
	spans []cellSpan // one per cell
}

// cellSpan locates a cell in Row.buf; start < 0 marks a null cell.
type cellSpan struct{ start, end int }

// Len returns the number of cells in the row (0 for an empty or null row).
func (r *Row) Len() int { return len(r.spans) }

// Cell returns cell i: the unescaped contents of a string cell, the JSON text
// of a number or boolean cell, or (nil, true) for a null cell. The bytes are
// valid until the Row is next decoded into and must not be modified. An i out
// of range [0, Len()) is reported as a null cell.
func (r *Row) Cell(i int) ([]byte, bool) {
	if i < 0 || i >= len(r.spans) {
		return nil, true
	}
	s := r.spans[i]
	if s.start < 0 {
		return nil, true
	}
	return r.buf[s.start:s.end:s.end], false
}

func (r *Row) reset() {
	r.buf = r.buf[:0]
	r.spans = r.spans[:0]
}

// DecodeRow decodes b, a standalone JSON array of cells such as the "data"
// of a WebSocket data frame, into row with the cell rules of Decoder.Next.
// JSON null yields an empty row. On error the contents of row are undefined.
func DecodeRow(b []byte, row *Row) error {
	d := Decoder{buf: b, w: len(b), rerr: io.EOF, maxRow: math.MaxInt, state: decFrame,
		what: "data frame", rowStart: -1, cell: -1}
	if row == nil {
		return errors.New("wire: DecodeRow called with a nil Row")
	}
	row.reset()
	if !d.skipWS() {
		return d.endErr()
	}
	if err := d.rowValue(d.buf[d.r], row); err != nil {
		return err
	}
	if d.skipWS() {
		return d.fail(ErrSyntax, "invalid character %s after the row", quoteByte(d.buf[d.r]))
	}
	return nil
}

// rowValue decodes the row starting with byte c at d.r: an array or null.
func (d *Decoder) rowValue(c byte, row *Row) error {
	switch c {
	case '[':
	case 'n':
		return d.literal("null")
	default:
		return d.unexpected(c, "a row", "is not an array")
	}
	d.rowStart = d.InputOffset()
	d.r++
	d.cell = 0
	if !d.skipWS() {
		return d.endErr()
	}
	if d.buf[d.r] == ']' {
		d.r++
		d.rowStart, d.cell = -1, -1
		return nil
	}
	for {
		var err error
		switch c := d.buf[d.r]; c {
		case '"':
			start := len(row.buf)
			row.buf, err = d.readString(row.buf, true)
			row.spans = append(row.spans, cellSpan{start, len(row.buf)})
		case 'n':
			err = d.literal("null")
			row.spans = append(row.spans, cellSpan{-1, -1})
		case 't', 'f':
			lit := "true"
			if c == 'f' {
				lit = "false"
			}
			start := len(row.buf)
			err = d.literal(lit)
			row.buf = append(row.buf, lit...)
			row.spans = append(row.spans, cellSpan{start, len(row.buf)})
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			start := len(row.buf)
			row.buf, err = d.number(row.buf, true)
			row.spans = append(row.spans, cellSpan{start, len(row.buf)})
		default:
			err = d.unexpected(c, "a cell", "is not a string or null")
		}
		if err != nil {
			return err
		}
		if d.InputOffset()-d.rowStart > int64(d.maxRow) {
			return d.fail(ErrTooLarge, "row is longer than %d bytes", d.maxRow)
		}
		if !d.skipWS() {
			return d.endErr()
		}
		switch c := d.buf[d.r]; c {
		case ']':
			d.r++
			if d.InputOffset()-d.rowStart > int64(d.maxRow) {
				return d.fail(ErrTooLarge, "row is longer than %d bytes", d.maxRow)
			}
			d.rowStart, d.cell = -1, -1
			return nil
		case ',':
			d.r++
			d.cell++
			if !d.skipWS() {
				return d.endErr()
			}
		default:
			return d.fail(ErrSyntax, "invalid character %s after a cell", quoteByte(c))
		}
	}
}
