package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// ErrDuplicateKey means a top-level key of the answer appears twice
	// (compared case-insensitively, as keys are matched): encoding/json
	// would silently keep the last value, so which one decides is unclear.
	ErrDuplicateKey = errors.New("wire: duplicate key")
	// ErrLimit means the answer claims more columns, partitions or
	// statement ids than MaxColumns, MaxPartitions or MaxStatementIDs.
	ErrLimit = errors.New("wire: count exceeds limit")
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
	decBare             // ResetData: the data array has not started
)

// The top-level keys a Decoder reads, matched case-insensitively.
var headerKeys = [...][]byte{
	[]byte("sqlState"), []byte("message"), []byte("statementID"),
	[]byte("statementIDs"), []byte("createdOn"), []byte("metadata"), []byte("data"),
}

// Indexes of headerKeys.
const (
	keySQLState = iota
	keyMessage
	keyStatementID
	keyStatementIDs
	keyCreatedOn
	keyMetadata
	keyData
)

// Decoder scans a result-set body (a wire.ResultSet in JSON) from a reader
// in constant memory, whatever the order of its keys: Head decodes the keys
// that come before a non-empty data array, Next yields the rows one at a
// time, Tail decodes the keys after the array and checks that the input
// ends there. The service writes its keys in alphabetical order, so "data"
// usually comes before "metadata" and "sqlState": see BufferRows and
// SkipMetadata for how a caller deals with rows whose columns it does not
// know yet.
//
// It accepts what json.Unmarshal into a ResultSet accepts, with the same
// results, except that:
//   - number, true and false cells are accepted and yield their JSON text
//     (encoding/json cannot store them in a *string);
//   - a top-level key the Decoder reads that appears twice (also in another
//     case) fails with ErrDuplicateKey: encoding/json keeps the last one,
//     the service never sends two, and a second "sqlState" after the rows
//     must not silently decide the outcome;
//   - a row or header value longer than the MaxRowBytes limit fails with
//     ErrTooLarge;
//   - more columns, partitions or statement ids than MaxColumns,
//     MaxPartitions or MaxStatementIDs fail with ErrLimit, before they are
//     decoded;
//   - an error stops decoding at once, so when encoding/json would report
//     one error its message may differ.
//
// Keys match the ResultSet field names case-insensitively (as in
// encoding/json); unknown keys are skipped; strings are unescaped as
// encoding/json does (invalid UTF-8 and unpaired surrogates become U+FFFD).
// A row that is JSON null is an empty row. An empty data array does not stop
// Head: it is consumed and the keys after it are decoded too. Decoding
// errors are sticky *DecodeError values. A Decoder is not safe for
// concurrent use.
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
	seen     uint8 // bit k: headerKeys[k] was read
	skipMeta bool  // SkipMetadata: validate "metadata" without decoding it
	bare     bool  // ResetData: the input is a data array alone

	key       []byte // scratch for object keys
	raw       []byte // captured value
	capturing bool
	capStart  int
	capMax    int    // capture limit
	capDrop   bool   // past capMax, drop the capture and go on (else fail)
	capOver   bool   // the capture was dropped
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

// HasRows reports whether the body has a data array, possibly empty.
func (d *Decoder) HasRows() bool { return d.sawData }

// AtRows reports whether Head stopped at a non-empty data array whose rows
// Next has not all returned yet.
func (d *Decoder) AtRows() bool { return d.state == decRows }

// Seen reports whether the body held the top-level key name (one of
// "sqlState", "message", "statementID", "statementIDs", "createdOn",
// "metadata", "data") before the point decoded so far.
func (d *Decoder) Seen(name string) bool {
	for k, key := range headerKeys {
		if string(key) == name {
			return d.seen&(1<<k) != 0
		}
	}
	return false
}

// SkipMetadata makes Head and Tail skip the "metadata" value of the body
// being decoded: it is validated as JSON but neither held nor decoded, and
// the ResultSet's Metadata stays nil. A caller that already holds the
// metadata of a result (from its first partition) uses it for the later
// ones. Call it after Reset and before Head.
func (d *Decoder) SkipMetadata() { d.skipMeta = true }

// Head decodes the top-level object up to the first row of its data array,
// or to its end when there is no row ("data" absent, null or empty). Every
// other key before that point is decoded into the returned ResultSet, whose
// Data is nil. Head must be called once, first. A body that is JSON null
// yields an empty ResultSet, like json.Unmarshal.
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
		switch d.state {
		case decStart:
			return false, errors.New("wire: Decoder.Next called before Head")
		case decBare:
			if err := d.openBare(); err != nil || d.state != decRows {
				return false, err
			}
		default:
			return false, nil
		}
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
			d.endData()
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
		d.endData()
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
	for d.state == decRows || d.state == decBare {
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

// members decodes object members until the first row of a data array
// (state decRows) or the end of the object (decClosed). first says no member
// was read yet.
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
		if k >= 0 {
			if d.seen&(1<<k) != 0 {
				return d.fail(ErrDuplicateKey, "the key %q appears twice; the answer is malformed", headerKeys[k])
			}
			d.seen |= 1 << k
		}
		switch k {
		case -1:
			err = d.skipValue(1)
		case keyData:
			switch c := d.buf[d.r]; c {
			case '[':
				d.r++
				d.sawData = true
				if !d.skipWS() {
					return d.endErr()
				}
				if d.buf[d.r] == ']' { // empty: go on with the keys after it
					d.r++
					continue
				}
				d.state = decRows
				return nil
			case 'n':
				err = d.literal("null")
			default:
				return d.unexpected(c, `"data"`, "is not an array")
			}
		case keyMetadata:
			if d.skipMeta {
				err = d.skipValue(1)
			} else {
				err = d.header(rs, k)
			}
		default:
			err = d.header(rs, k)
		}
		if err != nil {
			return err
		}
	}
}

// endData moves on after the closing bracket of the data array.
func (d *Decoder) endData() {
	if d.bare {
		d.state = decClosed
	} else {
		d.state = decAfterData
	}
}

// header captures the value of header key k, checks the counts it claims
// against the limits, and decodes it with encoding/json into its ResultSet
// field.
func (d *Decoder) header(rs *ResultSet, k int) error {
	off := d.InputOffset()
	d.raw = d.raw[:0]
	if err := d.capture(d.maxRow, false); err != nil {
		return err
	}
	var dst any
	switch k {
	case keySQLState:
		dst = &rs.SQLState
	case keyMessage:
		dst = &rs.Message
	case keyStatementID:
		dst = &rs.StatementID
	case keyStatementIDs:
		if n := countElements(d.raw, MaxStatementIDs); n > MaxStatementIDs {
			return d.failAt(off, ErrLimit, "the answer lists more than %d statement ids; the driver's limit is %d", MaxStatementIDs, MaxStatementIDs)
		}
		dst = &rs.StatementIDs
	case keyCreatedOn:
		dst = &rs.CreatedOn
	default:
		cols, parts := countMetadata(d.raw)
		if cols > MaxColumns {
			return d.failAt(off, ErrLimit, "the metadata lists more than %d columns; the driver's limit is %d", MaxColumns, MaxColumns)
		}
		if parts > MaxPartitions {
			return d.failAt(off, ErrLimit, "the metadata lists more than %d partitions; the driver's limit is %d", MaxPartitions, MaxPartitions)
		}
		rs.Metadata = newMetadata(cols, parts)
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

// capture consumes the value at d.r, appending its JSON text to d.raw. Past
// limit bytes it fails with ErrTooLarge or, if drop, empties d.raw, sets
// d.capOver and goes on validating.
func (d *Decoder) capture(limit int, drop bool) error {
	d.capturing, d.capStart, d.capMax, d.capDrop, d.capOver = true, d.r, limit, drop, false
	err := d.skipValue(1)
	if err == nil {
		d.flushCapture()
		if d.capOver && !drop {
			err = d.fail(ErrTooLarge, "header value is longer than %d bytes", limit)
		}
	}
	d.capturing = false
	return err
}

// flushCapture appends what was consumed since capStart to the capture.
func (d *Decoder) flushCapture() {
	if !d.capOver {
		chunk := d.buf[d.capStart:d.r]
		if len(d.raw)+len(chunk) > d.capMax {
			d.capOver = true
			d.raw = d.raw[:0]
		} else {
			d.raw = grow(d.raw, len(chunk), d.capMax)
			d.raw = append(d.raw, chunk...)
		}
	}
	d.capStart = d.r
}
