package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decoded is everything a Decoder yields for one body.
type decoded struct {
	head    ResultSet // Data stays nil
	hasRows bool
	rows    [][]*string
}

// decodeAll runs Head, Next until the end and Tail over r.
func decodeAll(r io.Reader, opts ...Option) (*decoded, error) {
	d := NewDecoder(r, opts...)
	rs, err := d.Head()
	if err != nil {
		return nil, err
	}
	out := &decoded{hasRows: d.HasRows()}
	var row Row
	for {
		ok, err := d.Next(&row)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		out.rows = append(out.rows, rowStrings(&row))
	}
	if err := d.Tail(rs); err != nil {
		return nil, err
	}
	if rs.Data != nil {
		return nil, errors.New("Head or Tail filled Data")
	}
	out.head = *rs
	return out, nil
}

// rowStrings copies a Row into the shape encoding/json produces.
func rowStrings(row *Row) []*string {
	cells := make([]*string, row.Len())
	for i := range cells {
		if b, null := row.Cell(i); !null {
			s := string(b)
			cells[i] = &s
		}
	}
	return cells
}

func sp(s string) *string { return &s }

const sampleBody = `{"sqlState":"00000","statementID":"7d3b","statementIDs":["7d3b"],"createdOn":1700000000,
 "metadata":{"encoding":"json","partitionInfo":[{"rowCount":3}],"columns":[{"name":"a","type":"VARCHAR","nullable":true},{"name":"b","type":"BIGINT"}]},
 "data":[["1",null,"x\"y"],["\u00e9\ud83d\ude00","\n\t\\/", ""],[]]}`

func TestDecoderBodies(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    *decoded
		compare bool // also compare with json.Unmarshal
	}{
		{name: "sample", body: sampleBody, compare: true, want: &decoded{
			head: ResultSet{SQLState: "00000", StatementID: "7d3b", StatementIDs: []string{"7d3b"}, CreatedOn: 1700000000,
				Metadata: &Metadata{Encoding: "json", PartitionInfo: []PartitionInfo{{RowCount: 3}},
					Columns: []Column{{Name: "a", Type: "VARCHAR", Nullable: func() *bool { b := true; return &b }()}, {Name: "b", Type: "BIGINT"}}}},
			hasRows: true,
			rows:    [][]*string{{sp("1"), nil, sp(`x"y`)}, {sp("é😀"), sp("\n\t\\/"), sp("")}, {}},
		}},
		{name: "running", body: `{"sqlState":"03000","statementID":"s","createdOn":5}`, compare: true,
			want: &decoded{head: ResultSet{SQLState: "03000", StatementID: "s", CreatedOn: 5}}},
		{name: "data null then more keys", body: `{"data":null,"message":"m"}`, compare: true,
			want: &decoded{head: ResultSet{Message: "m"}}},
		{name: "empty data", body: `{"data":[]}`, compare: true, want: &decoded{hasRows: true}},
		{name: "keys after data", body: " {\"data\":[[\"a\"]],\"sqlState\":\"00000\",\"metadata\":{\"encoding\":\"json\"}} \r\n\t",
			compare: true, want: &decoded{head: ResultSet{SQLState: "00000", Metadata: &Metadata{Encoding: "json"}},
				hasRows: true, rows: [][]*string{{sp("a")}}}},
		{name: "unknown keys skipped", body: `{"x":{"y":[1,2.5e3,-0,true,false,null,"\u0041"]},"data":[null,["z"]],"z":[]}`,
			compare: true, want: &decoded{hasRows: true, rows: [][]*string{{}, {sp("z")}}}},
		{name: "folded key names", body: `{"ſqlState":"2","Message":"m","\u0064ata":[]}`, compare: true,
			want: &decoded{head: ResultSet{SQLState: "2", Message: "m"}, hasRows: true}},
		{name: "duplicate unknown keys", body: `{"x":1,"x":2,"data":[]}`, compare: true,
			want: &decoded{hasRows: true}},
		{name: "top-level null", body: " null ", compare: true, want: &decoded{}},
		{name: "bad utf8 and surrogates", body: "{\"data\":[[\"a\xffb\", \"\\ud800\", \"\\udc00\\ud800x\", \"\\ud800\\u0041\", \"\xed\xa0\x80\"]]}",
			compare: true, want: &decoded{hasRows: true, rows: [][]*string{{sp("a\uFFFDb"), sp("\uFFFD"), sp("\uFFFD\uFFFDx"), sp("\uFFFDA"), sp("\uFFFD\uFFFD\uFFFD")}}}},
		{name: "number and boolean cells", body: `{"data":[[1,-2.5e-3,true,false,0]]}`,
			want: &decoded{hasRows: true, rows: [][]*string{{sp("1"), sp("-2.5e-3"), sp("true"), sp("false"), sp("0")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeAll(strings.NewReader(tt.body))
			require.NoError(t, err)
			assert.Equal(t, tt.want.head, got.head)
			assert.Equal(t, tt.want.hasRows, got.hasRows)
			require.Len(t, got.rows, len(tt.want.rows))
			for i := range tt.want.rows {
				assert.Equal(t, strs(tt.want.rows[i]), strs(got.rows[i]), "row %d", i)
			}
			if tt.compare {
				var ref ResultSet
				require.NoError(t, json.Unmarshal([]byte(tt.body), &ref))
				assert.Equal(t, strs2(ref.Data), strs2(got.rows))
				ref.Data = nil
				assert.Equal(t, ref, got.head)
			}
		})
	}
}

// strs renders cells for comparison, "<nil>" for null.
func strs(cells []*string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		if c == nil {
			out[i] = "<nil>"
		} else {
			out[i] = "=" + *c
		}
	}
	return out
}

func strs2(rows [][]*string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = strs(r)
	}
	return out
}

func TestDecoderErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		kind error
		msg  string // substring of the error
	}{
		{"empty", "", io.ErrUnexpectedEOF, "unexpected end of result body at byte 0"},
		{"blank", " \n", io.ErrUnexpectedEOF, "at byte 2"},
		{"array body", `[1]`, ErrType, "the result is not a JSON object: it is an array"},
		{"garbage body", `<html>`, ErrSyntax, "invalid character '<'"},
		{"truncated header", `{"sqlState":"000`, io.ErrUnexpectedEOF, "at byte 16"},
		{"truncated in row", `{"data":[["a"],["b","c`, io.ErrUnexpectedEOF, "in row 1, cell 1 at byte 22"},
		{"truncated between rows", `{"data":[["a"],`, io.ErrUnexpectedEOF, "in row 1 at byte 15"},
		{"truncated after data", `{"data":[["a"]]`, io.ErrUnexpectedEOF, "at byte 15"},
		{"truncated literal", `{"data":[[nul`, io.ErrUnexpectedEOF, "in row 0, cell 0"},
		{"truncated number", `{"data":[[-`, io.ErrUnexpectedEOF, "in row 0, cell 0"},
		{"object cell", `{"data":[["a",{"k":1}]]}`, ErrType, "in row 0, cell 1 at byte 14: a cell is not a string or null: it is an object"},
		{"array cell", `{"data":[["a"],[[]]]}`, ErrType, "row 1, cell 0"},
		{"string row", `{"data":["a"]}`, ErrType, "a row is not an array: it is a string"},
		{"object data", `{"data":{}}`, ErrType, `"data" is not an array: it is an object`},
		{"string data", `{"data":"x"}`, ErrType, `it is a string`},
		{"bad createdOn", `{"createdOn":"x"}`, ErrType, "bad createdOn in result body at byte 13"},
		{"fractional createdOn", `{"createdOn":1.5}`, ErrType, "createdOn"},
		{"trailing comma in row", `{"data":[["a",]]}`, ErrSyntax, "invalid character ']' looking for a cell"},
		{"trailing comma in data", `{"data":[["a"],]}`, ErrSyntax, "row 1"},
		{"missing comma", `{"data":[["a" "b"]]}`, ErrSyntax, `invalid character '"' after a cell`},
		{"missing row comma", `{"data":[[] []]}`, ErrSyntax, "after a row"},
		{"bad escape", `{"data":[["\x"]]}`, ErrSyntax, `invalid character 'x' in string escape code`},
		{"bad unicode escape", `{"data":[["\u12G4"]]}`, ErrSyntax, `invalid \u escape`},
		{"control char", "{\"data\":[[\"a\nb\"]]}", ErrSyntax, `invalid character '\n' in string literal`},
		{"bad number", `{"data":[[01]]}`, ErrSyntax, "after a cell"},
		{"bad number 2", `{"data":[[1.]]}`, ErrSyntax, "in numeric literal"},
		{"bad literal", `{"data":[[nulL]]}`, ErrSyntax, "in literal null"},
		{"trailing garbage", `{"data":[]} x`, ErrSyntax, "at byte 12: invalid character 'x' after the top-level object"},
		{"two objects", `{}{}`, ErrSyntax, "after the top-level object"},
		{"duplicate data", `{"data":[["a"]],"data":[["b"]]}`, ErrDuplicateKey, `duplicate key in result body at byte 23: the key "data" appears twice`},
		{"duplicate data null", `{"data":[],"data":null}`, ErrDuplicateKey, "at byte 18"},
		{"null then array", `{"data":null,"DATA":[["a"]]}`, ErrDuplicateKey, `"data" appears twice`},
		{"duplicate sqlState after rows", `{"sqlState":"00000","data":[["a"]],"sqlState":"42601"}`, ErrDuplicateKey, `"sqlState" appears twice`},
		{"folded duplicate", `{"SQLSTATE":"1","ſqlState":"2"}`, ErrDuplicateKey, `"sqlState"`},
		{"duplicate metadata", `{"metadata":{"encoding":"a"},"data":[],"metadata":{"columns":[]}}`, ErrDuplicateKey, `"metadata"`},
		{"duplicate statementID", `{"statementID":"a","statementID":"b"}`, ErrDuplicateKey, `"statementID"`},
		{"bad key", `{sqlState:1}`, ErrSyntax, "looking for an object key"},
		{"missing colon", `{"a" 1}`, ErrSyntax, "after an object key"},
		{"trailing comma in object", `{"a":1,}`, ErrSyntax, "looking for an object key"},
		{"bad skipped value", `{"a":[1,]}`, ErrSyntax, "looking for a value"},
		{"bad skipped object", `{"a":{"b":1,}}`, ErrSyntax, "looking for an object key"},
		{"unclosed skipped", `{"a":[{"b":[`, io.ErrUnexpectedEOF, "at byte 12"},
		{"mismatched brackets", `{"a":[}`, ErrSyntax, "looking for a value"},
		{"mismatched brackets 2", `{"a":[1}`, ErrSyntax, "after a value"},
		{"bom", "\xef\xbb\xbf{}", ErrSyntax, `'\xef'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tt.body), iotest.OneByteReader(strings.NewReader(tt.body))} {
				_, err := decodeAll(r, WithBufferSize(16))
				require.Error(t, err)
				assert.ErrorIs(t, err, tt.kind)
				assert.Contains(t, err.Error(), tt.msg)
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				if !errors.Is(err, ErrDuplicateKey) {
					var v ResultSet
					assert.Error(t, json.Unmarshal([]byte(tt.body), &v), "encoding/json accepts it")
				}
			}
		})
	}
}

func TestDecoderStickyErrorAndMisuse(t *testing.T) {
	d := NewDecoder(strings.NewReader(`{"data":[["a"],{}]}`))
	var row Row
	_, err := d.Next(&row)
	require.ErrorContains(t, err, "before Head")
	require.ErrorContains(t, d.Tail(nil), "before Head")
	_, err = d.Head()
	require.NoError(t, err)
	_, err = d.Head()
	require.ErrorContains(t, err, "twice")
	ok, err := d.Next(&row)
	require.NoError(t, err)
	require.True(t, ok)
	_, err = d.Next(&row)
	require.ErrorIs(t, err, ErrType)
	_, err2 := d.Next(&row)
	require.Same(t, err, err2)
	require.Same(t, err, d.Tail(nil))
}

func TestDecoderTailDrainsRows(t *testing.T) {
	d := NewDecoder(strings.NewReader(`{"data":[["a"],["b"],["c"]],"message":"after"}`))
	rs, err := d.Head()
	require.NoError(t, err)
	var row Row
	ok, err := d.Next(&row)
	require.True(t, ok)
	require.NoError(t, err)
	require.NoError(t, d.Tail(rs))
	assert.Equal(t, "after", rs.Message)
	ok, err = d.Next(&row)
	assert.False(t, ok)
	assert.NoError(t, err)
	assert.NoError(t, d.Tail(rs), "Tail is idempotent once done")

	// Bad rows are still reported when drained.
	d = NewDecoder(strings.NewReader(`{"data":[["a"],[{}]]}`))
	_, err = d.Head()
	require.NoError(t, err)
	assert.ErrorIs(t, d.Tail(nil), ErrType)
}

func TestDecoderRowLimit(t *testing.T) {
	long := `{"data":[["` + strings.Repeat("x", 100) + `"],["y"]]}`
	for _, bufSize := range []int{16, 64, 1024} {
		d := NewDecoder(strings.NewReader(long), WithMaxRowBytes(50), WithBufferSize(bufSize))
		_, err := d.Head()
		require.NoError(t, err)
		var row Row
		_, err = d.Next(&row)
		require.ErrorIs(t, err, ErrTooLarge, "buffer %d", bufSize)
		assert.Contains(t, err.Error(), "row 0")
		assert.Contains(t, err.Error(), "longer than 50 bytes")
	}
	// Exactly at the limit passes: the row `["xx"]` is 6 bytes.
	_, err := decodeAll(strings.NewReader(`{"data":[["xx"]]}`), WithMaxRowBytes(6), WithBufferSize(16))
	require.NoError(t, err)
	_, err = decodeAll(strings.NewReader(`{"data":[["xxx"]]}`), WithMaxRowBytes(6), WithBufferSize(16))
	require.ErrorIs(t, err, ErrTooLarge)
	// Many small cells count too.
	_, err = decodeAll(strings.NewReader(`{"data":[[`+strings.Repeat("null,", 100)+`null]]}`), WithMaxRowBytes(50))
	require.ErrorIs(t, err, ErrTooLarge)
	// Header values are capped as well; skipped unknown values are not.
	meta := `{"metadata":{"encoding":"` + strings.Repeat("x", 100) + `"}}`
	for _, bufSize := range []int{16, 1024} {
		_, err = decodeAll(strings.NewReader(meta), WithMaxRowBytes(50), WithBufferSize(bufSize))
		require.ErrorIs(t, err, ErrTooLarge)
		assert.Contains(t, err.Error(), "longer than 50 bytes")
	}
	_, err = decodeAll(strings.NewReader(`{"x":"`+strings.Repeat("x", 100)+`"}`), WithMaxRowBytes(50), WithBufferSize(16))
	require.NoError(t, err)
}

func TestDecoderNestingDepth(t *testing.T) {
	for _, n := range []int{MaxNestingDepth - 2, MaxNestingDepth - 1, MaxNestingDepth} {
		body := `{"x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`
		var ref ResultSet
		refErr := json.Unmarshal([]byte(body), &ref)
		_, err := decodeAll(strings.NewReader(body))
		if refErr == nil {
			assert.NoError(t, err, "depth %d", n)
		} else {
			assert.ErrorIs(t, err, ErrSyntax, "depth %d", n)
		}
		assert.Equal(t, n < MaxNestingDepth, err == nil, "depth %d", n)
	}
}

// chunkReader returns its input in chunks of the given sizes, cycling.
type chunkReader struct {
	b     []byte
	sizes []int
	i     int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := min(c.sizes[c.i%len(c.sizes)], len(p), len(c.b))
	c.i++
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

func TestDecoderBufferBoundaries(t *testing.T) {
	// A body full of escapes, multi-byte runes and numbers, read in every
	// chunking through buffers of several sizes, decodes the same.
	body := []byte(`{"sqlState":"00000","metadata":{"encoding":"\u006aso\u006e"},"data":[` +
		`["\ud83d\ude00\ud83d\ude00","é€😀","\\\"\/\b\f\n\r\t",null,12345.678e-9,true,false,"\ud800\u0041"],` +
		`["` + strings.Repeat("αβγ\\u00e9", 20) + "\", \"\xffz\xe2\x82\"]],\"statementID\":\"end\"}" + " \n")
	want, err := decodeAll(bytes.NewReader(body))
	require.NoError(t, err)
	require.Len(t, want.rows, 2)
	assert.Equal(t, "\U0001F600\U0001F600", *want.rows[0][0])
	assert.Equal(t, "\uFFFDA", *want.rows[0][7])
	assert.Equal(t, "\uFFFDz\uFFFD\uFFFD", *want.rows[1][1])
	for _, bufSize := range []int{1, 16, 17, 31, 64} {
		for _, sizes := range [][]int{{1}, {2}, {3, 1}, {5, 7, 11}, {4096}} {
			got, err := decodeAll(&chunkReader{b: body, sizes: sizes}, WithBufferSize(bufSize))
			require.NoError(t, err, "buffer %d chunks %v", bufSize, sizes)
			assert.Equal(t, want, got, "buffer %d chunks %v", bufSize, sizes)
		}
	}
	got, err := decodeAll(iotest.OneByteReader(bytes.NewReader(body)), WithBufferSize(16))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	got, err = decodeAll(iotest.DataErrReader(bytes.NewReader(body)), WithBufferSize(16))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	got, err = decodeAll(iotest.HalfReader(bytes.NewReader(body)))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

// failAfter returns err once n bytes were read.
type failAfter struct {
	r   io.Reader
	n   int
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	n, err := f.r.Read(p[:min(len(p), f.n)])
	f.n -= n
	return n, err
}

func TestDecoderReadErrors(t *testing.T) {
	body := `{"sqlState":"00000","data":[["aaaa","bbbb"],["cccc","dddd"]],"message":"m"}`
	boom := errors.New("boom")
	for n := 0; n < len(body); n++ {
		_, err := decodeAll(&failAfter{r: strings.NewReader(body), n: n, err: boom}, WithBufferSize(16))
		require.ErrorIs(t, err, boom, "after %d bytes", n)
		assert.Contains(t, err.Error(), "reading result body")
		var de *DecodeError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, int64(n), de.Offset, "after %d bytes", n)
	}
	// iotest.TimeoutReader fails its second read.
	_, err := decodeAll(iotest.TimeoutReader(strings.NewReader(body)), WithBufferSize(16))
	require.ErrorIs(t, err, iotest.ErrTimeout)
	// A reader that never makes progress is reported, not spun on.
	_, err = decodeAll(iotest.ErrReader(nil))
	require.ErrorIs(t, err, io.ErrNoProgress)
	// Truncation at every offset is io.ErrUnexpectedEOF (or, at offset 0, too).
	for n := 0; n < len(body); n++ {
		_, err := decodeAll(strings.NewReader(body[:n]), WithBufferSize(16))
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "cut at %d", n)
	}
}

func TestDecoderReset(t *testing.T) {
	d := NewDecoder(strings.NewReader(sampleBody), WithBufferSize(32))
	for range 3 {
		rs, err := d.Head()
		require.NoError(t, err)
		var row Row
		n := 0
		for {
			ok, err := d.Next(&row)
			require.NoError(t, err)
			if !ok {
				break
			}
			n++
		}
		require.NoError(t, d.Tail(rs))
		assert.Equal(t, 3, n)
		assert.Equal(t, int64(len(sampleBody)), d.InputOffset())
		d.Reset(strings.NewReader(sampleBody))
	}
	d.Reset(nil)
	_, err := d.Head()
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
}

func TestRowCell(t *testing.T) {
	var row Row
	require.NoError(t, DecodeRow([]byte(`["ab",null,"c"]`), &row))
	require.Equal(t, 3, row.Len())
	b, null := row.Cell(0)
	assert.False(t, null)
	assert.Equal(t, "ab", string(b))
	assert.Equal(t, 2, cap(b), "a cell cannot be appended into its neighbour")
	_, null = row.Cell(1)
	assert.True(t, null)
	for _, i := range []int{-1, 3, 100} {
		b, null = row.Cell(i)
		assert.Nil(t, b)
		assert.True(t, null)
	}
	var zero Row
	assert.Equal(t, 0, zero.Len())
}

func TestDecodeRow(t *testing.T) {
	tests := []struct {
		in   string
		want []string // strs form; nil on error
		kind error
		msg  string
	}{
		{in: `["a",null,"\u00e9"]`, want: []string{"=a", "<nil>", "=é"}},
		{in: " [ ] ", want: []string{}},
		{in: "null", want: []string{}},
		{in: `[1,true]`, want: []string{"=1", "=true"}},
		{in: ``, kind: io.ErrUnexpectedEOF, msg: "unexpected end of data frame at byte 0"},
		{in: `["a"`, kind: io.ErrUnexpectedEOF, msg: "in cell 0 at byte 4"},
		{in: `["a",{}]`, kind: ErrType, msg: "in cell 1 at byte 5: a cell is not a string or null: it is an object"},
		{in: `{"a":1}`, kind: ErrType, msg: "a row is not an array"},
		{in: `"a"`, kind: ErrType},
		{in: `["a"] x`, kind: ErrSyntax, msg: "after the row"},
		{in: `["a",]`, kind: ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var row Row
			err := DecodeRow([]byte(tt.in), &row)
			if tt.want == nil {
				require.ErrorIs(t, err, tt.kind)
				assert.Contains(t, err.Error(), tt.msg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, strs(rowStrings(&row)))
		})
	}
}

func TestDecoderSteadyStateAllocs(t *testing.T) {
	line := []byte(`["abc",null,"d\"e\u00e9","` + strings.Repeat("z", 40) + `"]`)
	var row Row
	require.NoError(t, DecodeRow(line, &row))
	allocs := testing.AllocsPerRun(100, func() {
		if err := DecodeRow(line, &row); err != nil {
			t.Fatal(err)
		}
	})
	assert.Zero(t, allocs, "DecodeRow allocations per call")

	body := bigBody(1000, 12)
	d := NewDecoder(bytes.NewReader(body))
	_, err := d.Head()
	require.NoError(t, err)
	for range 10 { // warm up the row's storage
		_, err := d.Next(&row)
		require.NoError(t, err)
	}
	allocs = testing.AllocsPerRun(500, func() {
		if ok, err := d.Next(&row); !ok || err != nil {
			t.Fatal(ok, err)
		}
	})
	assert.Zero(t, allocs, "Next allocations per row")
}

// repeatReader yields head, then body n times, then tail, without allocating.
type repeatReader struct {
	parts [][]byte
	n     int // repetitions of parts[1] left
	off   int
	part  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	total := 0
	for len(p) > 0 && r.part < 3 {
		cur := r.parts[r.part]
		c := copy(p, cur[r.off:])
		total += c
		p = p[c:]
		r.off += c
		if r.off == len(cur) {
			r.off = 0
			if r.part == 1 {
				r.n--
			}
			if r.part != 1 || r.n <= 0 {
				r.part++
			}
		}
	}
	if total == 0 {
		return 0, io.EOF
	}
	return total, nil
}

func TestDecoderLargeBodyBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 45 MB")
	}
	const rows = 200_000
	row := []byte(`["12345","a string with \"escapes\" \u00e9",null,"2024-01-02 03:04:05.123","` +
		strings.Repeat("x", 150) + `"],`)
	rr := &repeatReader{parts: [][]byte{
		[]byte(`{"sqlState":"00000","statementID":"big","data":[`),
		row,
		[]byte(`["last"]],"createdOn":7}`),
	}, n: rows}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	d := NewDecoder(rr)
	rs, err := d.Head()
	require.NoError(t, err)
	var r Row
	n := 0
	for {
		ok, err := d.Next(&r)
		require.NoError(t, err)
		if !ok {
			break
		}
		n++
	}
	require.NoError(t, d.Tail(rs))
	runtime.ReadMemStats(&after)

	assert.Equal(t, rows+1, n)
	assert.Equal(t, int64(7), rs.CreatedOn)
	assert.Greater(t, d.InputOffset(), int64(40<<20))
	assert.Less(t, cap(d.buf), 1<<20, "read buffer")
	assert.Less(t, cap(r.buf), 1<<10, "row buffer")
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20), "bytes allocated while decoding")
}

func TestPlain8(t *testing.T) {
	// Every byte value at every position, among plain neighbours.
	for c := range 256 {
		for pos := range 8 {
			for _, fill := range []byte{' ', '!', '#', '[', ']', 'a', 0x7f} {
				b := bytes.Repeat([]byte{fill}, 8)
				b[pos] = byte(c)
				want := c < utf8.RuneSelf && strPlain[c]
				require.Equal(t, want, plain8(binary.LittleEndian.Uint64(b)), "%q", b)
			}
		}
	}
}

func TestDecoderAgreesOnStringsAtEveryPosition(t *testing.T) {
	// Special bytes at every offset of a long cell exercise the 8-byte scan.
	for _, special := range []string{`\"`, `\\`, `\u00e9`, "é", "\xff", "\x01", `"`, "\x7f"} {
		for i := range 24 {
			body := `{"data":[["` + strings.Repeat("a", i) + special + strings.Repeat("b", 24-i) + `"]]}`
			var ref ResultSet
			refErr := json.Unmarshal([]byte(body), &ref)
			for _, bufSize := range []int{16, 4096} {
				got, err := decodeAll(strings.NewReader(body), WithBufferSize(bufSize))
				if refErr != nil {
					require.Error(t, err, "%q", body)
					continue
				}
				require.NoError(t, err, "%q", body)
				require.Equal(t, strs2(ref.Data), strs2(got.rows), "%q", body)
			}
		}
	}
}
