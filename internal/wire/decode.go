package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Limits of a Decoder.
const (
	// DefaultBufferSize is the size of a Decoder's read buffer. The buffer
	// never grows: strings and numbers are streamed through it.
	DefaultBufferSize = 64 << 10
	// DefaultMaxRowBytes caps the JSON text of one data row, and of one header
	// value (such as "metadata"), unless WithMaxRowBytes says otherwise.
	DefaultMaxRowBytes = 64 << 20
	// MaxNestingDepth is how deeply arrays and objects may nest, counting the
	// top-level object; it is the limit encoding/json enforces.
	MaxNestingDepth = 10000
)

// Kinds of decoding failure, for errors.Is on a *DecodeError. A body that
// ends early is reported with io.ErrUnexpectedEOF; a failing reader with its
// own error.
var (
	// ErrSyntax means the body is not valid JSON.
	ErrSyntax = errors.New("wire: malformed JSON")
	// ErrType means valid JSON of the wrong shape: a body that is not an
	// object, "data" that is not an array, a row that is not an array, a cell
	// that is an object or array, or a header value of the wrong type.
	ErrType = errors.New("wire: unexpected JSON type")
	// ErrTooLarge means a row or header value exceeds the MaxRowBytes limit.
	ErrTooLarge = errors.New("wire: value exceeds size limit")
	// ErrDuplicateData means a second "data" key follows a data array whose
	// rows were already streamed (encoding/json would keep the last one).
	ErrDuplicateData = errors.New("wire: duplicate data key")
)

// DecodeError reports where and why decoding failed.
type DecodeError struct {
	Msg    string // what went wrong, e.g. "unexpected end of result body"
	Detail string // more detail; may be empty
	Offset int64  // byte offset in the input where the problem was found
	Row    int64  // 0-based index of the data row, or -1 outside the data array
	Cell   int    // 0-based index of the cell within the row, or -1
	Err    error  // the kind (ErrSyntax, ...), io.ErrUnexpectedEOF, a read or an encoding/json error
}

// Error renders the message with its location, e.g. "wire: unexpected end of
// result body in row 1234, cell 2 at byte 56789".
func (e *DecodeError) Error() string {
	s := "wire: " + e.Msg
	if e.Row >= 0 {
		s += " in row " + strconv.FormatInt(e.Row, 10)
		if e.Cell >= 0 {
			s += ", cell " + strconv.Itoa(e.Cell)
		}
	} else if e.Cell >= 0 {
		s += " in cell " + strconv.Itoa(e.Cell)
	}
	s += " at byte " + strconv.FormatInt(e.Offset, 10)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the kind or cause of the failure.
func (e *DecodeError) Unwrap() error { return e.Err }

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

// Option configures a Decoder.
type Option func(*Decoder)

// WithMaxRowBytes caps the JSON text of one data row, and of one captured
// header value, at n bytes; a larger one fails with ErrTooLarge. n <= 0
// selects DefaultMaxRowBytes.
func WithMaxRowBytes(n int) Option {
	return func(d *Decoder) {
		if n <= 0 {
			n = DefaultMaxRowBytes
		}
		d.maxRow = n
	}
}

// WithBufferSize sets the size of the read buffer (at least 16 bytes).
func WithBufferSize(n int) Option {
	return func(d *Decoder) { d.bufSize = max(n, 16) }
}

// Decoder states.
const (
	decStart     = iota // Head not called yet
	decRows             // inside the data array
	decAfterData        // data array consumed, object still open
	decClosed           // top-level value consumed
	decDone             // end of input verified
	decFrame            // standalone row (DecodeRow)
)

// Header keys, in the order of headerField.
var headerKeys = [...][]byte{
	[]byte("sqlState"), []byte("message"), []byte("statementID"),
	[]byte("statementIDs"), []byte("createdOn"), []byte("metadata"), []byte("data"),
}

const keyData = 6

// Decoder scans a result-set body (a wire.ResultSet in JSON) from a reader
// in constant memory: Head decodes the keys before the data array, Next
// yields the rows one at a time, Tail decodes the keys after it and checks
// that the input ends there.
//
// It accepts exactly what json.Unmarshal into a ResultSet accepts, with the
// same results, except that:
//   - number, true and false cells are accepted and yield their JSON text
//     (encoding/json cannot store them in a *string);
//   - a "data" key after a data array fails with ErrDuplicateData (the rows
//     of the first array were already streamed);
//   - a row or header value longer than the MaxRowBytes limit fails with
//     ErrTooLarge;
//   - an error stops decoding at once, so when encoding/json would report
//     one error its message may differ.
//
// Keys match the ResultSet field names case-insensitively (as in
// encoding/json); unknown keys are skipped; strings are unescaped as
// encoding/json does (invalid UTF-8 and unpaired surrogates become U+FFFD).
// A row that is JSON null is an empty row. Decoding errors are sticky
// *DecodeError values. A Decoder is not safe for concurrent use.
type Decoder struct {
	rd      io.Reader
	buf     []byte // buf[r:w] is read but not consumed
	r, w    int
	base    int64 // input offset of buf[0]
	rerr    error // read error, io.EOF, or a *DecodeError raised while filling
	err     error // sticky decode error
	bufSize int
	maxRow  int
	state   int
	what    string // "result body" or "data frame", for messages

	row      int64 // index of the next row
	cell     int   // index of the cell being decoded, or -1
	rowStart int64 // input offset of the current row, or -1
	afterRow bool  // a row was decoded from the data array
	sawData  bool  // a data array was entered

	key       []byte // scratch for object keys
	raw       []byte // captured header value
	capturing bool
	capStart  int
	stack     []byte // open brackets while skipping a value
	drain     Row    // used by Tail to skip rows
}

// NewDecoder returns a Decoder reading r through its own buffer.
func NewDecoder(r io.Reader, opts ...Option) *Decoder {
	d := &Decoder{bufSize: DefaultBufferSize, maxRow: DefaultMaxRowBytes}
	for _, o := range opts {
		o(d)
	}
	d.buf = make([]byte, d.bufSize)
	d.Reset(r)
	return d
}

// Reset makes d decode a new body from r, keeping its buffers and options.
func (d *Decoder) Reset(r io.Reader) {
	*d = Decoder{rd: r, buf: d.buf, bufSize: d.bufSize, maxRow: d.maxRow, what: "result body",
		rowStart: -1, cell: -1, key: d.key[:0], raw: d.raw[:0], stack: d.stack[:0], drain: d.drain}
	if r == nil {
		d.rerr = io.EOF
	}
}

// InputOffset returns how many bytes of the input have been consumed.
func (d *Decoder) InputOffset() int64 { return d.base + int64(d.r) }

// HasRows reports whether Head entered a data array (Next then yields its rows).
func (d *Decoder) HasRows() bool { return d.sawData }

// Head decodes the top-level object up to the start of its data array, or to
// its end when there is no array ("data" absent or null). Every other key is
// decoded into the returned ResultSet, whose Data is nil. Head must be called
// once, first. A body that is JSON null yields an empty ResultSet, like
// json.Unmarshal.
func (d *Decoder) Head() (*ResultSet, error) {
	if d.err != nil {
		return nil, d.err
	}
	if d.state != decStart {
		return nil, errors.New("wire: Decoder.Head called twice")
	}
	rs := new(ResultSet)
	if !d.skipWS() {
		return nil, d.endErr()
	}
	switch c := d.buf[d.r]; c {
	case '{':
		d.r++
		d.state = decAfterData // members() moves on to decRows or decClosed
		if err := d.members(rs, true); err != nil {
			return nil, err
		}
	case 'n':
		if err := d.literal("null"); err != nil {
			return nil, err
		}
		d.state = decClosed
	default:
		return nil, d.unexpected(c, "the result", "is not a JSON object")
	}
	return rs, nil
}

// Next decodes the next row of the data array into row, reusing its storage.
// It returns false and a nil error at the end of the array, or when there is
// no array. The cell count is not checked.
func (d *Decoder) Next(row *Row) (bool, error) {
	if d.err != nil {
		return false, d.err
	}
	if d.state != decRows {
		if d.state == decStart {
			return false, errors.New("wire: Decoder.Next called before Head")
		}
		return false, nil
	}
	if row == nil {
		return false, errors.New("wire: Decoder.Next called with a nil Row")
	}
	row.reset()
	if !d.skipWS() {
		return false, d.endErr()
	}
	c := d.buf[d.r]
	if d.afterRow {
		if c == ']' {
			d.r++
			d.state = decAfterData
			return false, nil
		}
		if c != ',' {
			return false, d.fail(ErrSyntax, "invalid character %s after a row", quoteByte(c))
		}
		d.r++
		if !d.skipWS() {
			return false, d.endErr()
		}
		c = d.buf[d.r]
	} else if c == ']' {
		d.r++
		d.state = decAfterData
		return false, nil
	}
	if err := d.rowValue(c, row); err != nil {
		return false, err
	}
	d.afterRow = true
	d.row++
	return true, nil
}

// Tail skips any rows Next has not returned, decodes the keys that follow the
// data array into rs (which may be nil), and checks that only whitespace
// follows the object. It returns nil once the whole body is valid.
func (d *Decoder) Tail(rs *ResultSet) error {
	if d.err != nil {
		return d.err
	}
	if rs == nil {
		rs = new(ResultSet)
	}
	if d.state == decStart {
		return errors.New("wire: Decoder.Tail called before Head")
	}
	for d.state == decRows {
		if _, err := d.Next(&d.drain); err != nil {
			return err
		}
	}
	if d.state == decAfterData {
		if err := d.members(rs, false); err != nil {
			return err
		}
	}
	if d.state == decClosed {
		if d.skipWS() {
			return d.fail(ErrSyntax, "invalid character %s after the top-level object", quoteByte(d.buf[d.r]))
		}
		if d.rerr != io.EOF {
			return d.endErr()
		}
		d.state = decDone
	}
	return nil
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

// members decodes object members until the data array starts (state
// decRows) or the object ends (decClosed). first says no member was read yet.
func (d *Decoder) members(rs *ResultSet, first bool) error {
	for {
		if !d.skipWS() {
			return d.endErr()
		}
		c := d.buf[d.r]
		if c == '}' && first {
			d.r++
			d.state = decClosed
			return nil
		}
		if !first {
			if c == '}' {
				d.r++
				d.state = decClosed
				return nil
			}
			if c != ',' {
				return d.fail(ErrSyntax, "invalid character %s after an object value", quoteByte(c))
			}
			d.r++
			if !d.skipWS() {
				return d.endErr()
			}
			c = d.buf[d.r]
		}
		first = false
		if c != '"' {
			return d.fail(ErrSyntax, "invalid character %s looking for an object key", quoteByte(c))
		}
		var err error
		if d.key, err = d.readString(d.key[:0], true); err != nil {
			return err
		}
		if !d.skipWS() {
			return d.endErr()
		}
		if c := d.buf[d.r]; c != ':' {
			return d.fail(ErrSyntax, "invalid character %s after an object key", quoteByte(c))
		}
		d.r++
		if !d.skipWS() {
			return d.endErr()
		}
		k := -1
		for i, name := range headerKeys {
			if bytes.EqualFold(d.key, name) {
				k = i
				break
			}
		}
		switch k {
		case -1:
			err = d.skipValue(1)
		case keyData:
			if d.sawData {
				return d.fail(ErrDuplicateData, "a second \"data\" key follows the data array")
			}
			switch c := d.buf[d.r]; c {
			case '[':
				d.r++
				d.sawData = true
				d.state = decRows
				return nil
			case 'n':
				err = d.literal("null")
			default:
				return d.unexpected(c, `"data"`, "is not an array")
			}
		default:
			err = d.header(rs, k)
		}
		if err != nil {
			return err
		}
	}
}

// header captures the value of header key k and decodes it with
// encoding/json into its ResultSet field.
func (d *Decoder) header(rs *ResultSet, k int) error {
	off := d.InputOffset()
	d.raw, d.capturing, d.capStart = d.raw[:0], true, d.r
	err := d.skipValue(1)
	if err == nil {
		d.raw = append(d.raw, d.buf[d.capStart:d.r]...)
	}
	d.capturing = false
	if err != nil {
		return err
	}
	if len(d.raw) > d.maxRow {
		return d.fail(ErrTooLarge, "value of %q is longer than %d bytes", headerKeys[k], d.maxRow)
	}
	var dst any
	switch k {
	case 0:
		dst = &rs.SQLState
	case 1:
		dst = &rs.Message
	case 2:
		dst = &rs.StatementID
	case 3:
		dst = &rs.StatementIDs
	case 4:
		dst = &rs.CreatedOn
	default:
		dst = &rs.Metadata
	}
	if err := json.Unmarshal(d.raw, dst); err != nil {
		e := &DecodeError{Msg: "bad " + string(headerKeys[k]) + " in " + d.what, Detail: err.Error(),
			Offset: off, Row: -1, Cell: -1, Err: err}
		if _, ok := err.(*json.UnmarshalTypeError); ok {
			e.Err = fmt.Errorf("%w: %w", ErrType, err)
		}
		d.err = e
		return e
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
