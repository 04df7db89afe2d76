package wire

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Key order, buffered rows, skipped metadata and the limits on counts.

// orderMembers are the members of one answer, each a complete "key":value.
var orderMembers = []string{
	`"createdOn":1709673115`,
	`"data":[["1",null],["2","x"]]`,
	`"metadata":{"columns":[{"name":"a","nullable":true,"type":"BIGINT"},{"name":"b","nullable":true,"type":"VARCHAR"}],"context":{"databaseName":"db"},"encoding":"json","partitionInfo":[{"rowCount":2}]}`,
	`"sqlState":"00000"`,
	`"statementID":"a96a"`,
}

// permutations returns every order of the indexes 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

func joinMembers(order []int) string {
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = orderMembers[k]
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestDecoderAnyKeyOrder(t *testing.T) {
	want, err := decodeAll(strings.NewReader(joinMembers([]int{0, 1, 2, 3, 4})))
	require.NoError(t, err)
	require.Equal(t, "00000", want.head.SQLState)
	require.Len(t, want.rows, 2)
	for _, order := range permutations(len(orderMembers)) {
		body := joinMembers(order)
		for _, bufSize := range []int{16, 4096} {
			got, err := decodeAll(iotest.HalfReader(strings.NewReader(body)), WithBufferSize(bufSize))
			require.NoError(t, err, body)
			assert.Equal(t, want, got, body)
		}
	}
}

func TestDecoderHeadStopsOnlyAtRows(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		atRows bool
		state  string // SQLState after Head
	}{
		{"empty data first", `{"createdOn":1,"data":[],"metadata":{},"sqlState":"42601","statementID":"s"}`, false, "42601"},
		{"empty data with blanks", `{"data":[ ],"sqlState":"03000"}`, false, "03000"},
		{"null data first", `{"data":null,"sqlState":"00000"}`, false, "00000"},
		{"rows first", `{"data":[["a"]],"sqlState":"00000"}`, true, ""},
		{"rows last", `{"sqlState":"00000","data":[["a"]]}`, true, "00000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(strings.NewReader(tt.body), WithBufferSize(16))
			rs, err := d.Head()
			require.NoError(t, err)
			assert.Equal(t, tt.atRows, d.AtRows())
			assert.Equal(t, tt.state, rs.SQLState)
			assert.Equal(t, tt.state != "", d.Seen("sqlState"))
			assert.True(t, d.Seen("data"))
			assert.False(t, d.Seen("bogus"))
			require.NoError(t, d.Tail(rs))
		})
	}
}

// bufferAll runs Head, BufferRows, Tail over body, then decodes the rows
// set aside with ResetData when they were complete.
func bufferAll(t *testing.T, body string, limit int) (rs *ResultSet, rows [][]*string, complete bool, err error) {
	t.Helper()
	d := NewDecoder(strings.NewReader(body), WithBufferSize(16))
	if rs, err = d.Head(); err != nil {
		return nil, nil, false, err
	}
	require.True(t, d.AtRows())
	start := d.InputOffset() - 1
	raw, complete, err := d.BufferRows(nil, limit)
	if err != nil {
		return nil, nil, false, err
	}
	if err := d.Tail(rs); err != nil {
		return nil, nil, false, err
	}
	if !complete {
		assert.Empty(t, raw)
		return rs, nil, false, nil
	}
	d.ResetData(bytes.NewReader(raw), start)
	var row Row
	for {
		ok, err := d.Next(&row)
		if err != nil {
			return rs, rows, true, err
		}
		if !ok {
			break
		}
		rows = append(rows, rowStrings(&row))
	}
	return rs, rows, true, d.Tail(nil)
}

func TestDecoderBufferRows(t *testing.T) {
	body := joinMembers([]int{0, 1, 2, 3, 4})
	want, err := decodeAll(strings.NewReader(body))
	require.NoError(t, err)

	rs, rows, complete, err := bufferAll(t, body, 1<<20)
	require.NoError(t, err)
	assert.True(t, complete)
	assert.Equal(t, strs2(want.rows), strs2(rows))
	assert.Equal(t, want.head, *rs)

	// Over the limit: nothing is held, the keys after the rows are read.
	rs, _, complete, err = bufferAll(t, body, 10)
	require.NoError(t, err)
	assert.False(t, complete)
	assert.Equal(t, want.head, *rs)

	// A cell error found in the rows set aside keeps its row, cell and
	// offset in the original body.
	bad := `{"data":[["a"],["b",{"x":1}]],"sqlState":"00000"}`
	_, _, _, err = bufferAll(t, bad, 1<<20)
	require.ErrorIs(t, err, ErrType)
	assert.Contains(t, err.Error(), "data array in row 1, cell 1 at byte 20")
	// A row that is not an array is caught while setting aside.
	_, _, _, err = bufferAll(t, `{"data":[["a"],"b"],"sqlState":"00000"}`, 1<<20)
	require.ErrorIs(t, err, ErrType)
	assert.Contains(t, err.Error(), "row 1")
	// So is a truncated body, and garbage after the array.
	_, _, _, err = bufferAll(t, `{"data":[["a"],["b"`, 1<<20)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	_, _, _, err = bufferAll(t, `{"data":[["a"]] x`, 1<<20)
	require.ErrorIs(t, err, ErrSyntax)

	// Misuse.
	d := NewDecoder(strings.NewReader(`{"sqlState":"00000"}`))
	_, err = d.Head()
	require.NoError(t, err)
	_, _, err = d.BufferRows(nil, 10)
	require.Error(t, err)
}

func TestDecoderResetDataNull(t *testing.T) {
	d := NewDecoder(nil)
	d.ResetData(strings.NewReader(" null "), 0)
	var row Row
	ok, err := d.Next(&row)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, d.Tail(nil))
	d.ResetData(strings.NewReader(`{}`), 0)
	_, err = d.Next(&row)
	require.ErrorIs(t, err, ErrType)
}

func TestDecoderSkipMetadata(t *testing.T) {
	for _, order := range [][]int{{0, 1, 2, 3, 4}, {3, 4, 2, 0, 1}} {
		d := NewDecoder(strings.NewReader(joinMembers(order)))
		d.SkipMetadata()
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
		assert.Equal(t, 2, n)
		assert.Nil(t, rs.Metadata)
		assert.Equal(t, "00000", rs.SQLState)
	}
	// Skipped metadata is still validated, and still counts as a key.
	d := NewDecoder(strings.NewReader(`{"metadata":{"columns":[1,]}}`))
	d.SkipMetadata()
	_, err := d.Head()
	require.ErrorIs(t, err, ErrSyntax)
	d = NewDecoder(strings.NewReader(`{"metadata":{},"metadata":{}}`))
	d.SkipMetadata()
	_, err = d.Head()
	require.ErrorIs(t, err, ErrDuplicateKey)
}

// repeated returns "[" + n copies of elem joined by commas + "]".
func repeated(elem string, n int) string {
	var b strings.Builder
	b.Grow(n*(len(elem)+1) + 2)
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(elem)
	}
	b.WriteByte(']')
	return b.String()
}

func TestDecoderLimits(t *testing.T) {
	col := `{"name":"c","type":"INTEGER"}`
	tests := []struct {
		name string
		body string
		ok   bool
		msg  string
	}{
		{"columns at the limit", `{"metadata":{"columns":` + repeated(col, MaxColumns) + `}}`, true, ""},
		{"columns over the limit", `{"metadata":{"columns":` + repeated(col, MaxColumns+1) + `}}`, false, "more than 10000 columns"},
		{"empty columns over the limit", `{"metadata":{"Columns":` + repeated(`{}`, 3*MaxColumns) + `}}`, false, "more than 10000 columns"},
		{"second columns key over the limit", `{"metadata":{"columns":[],"columns":` + repeated(`{}`, MaxColumns+1) + `}}`, false, "columns"},
		{"partitions over the limit", `{"metadata":{"encoding":"json","partitionInfo":` + repeated(`{}`, MaxPartitions+1) + `}}`, false, "more than 100000 partitions"},
		{"statement ids at the limit", `{"statementIDs":` + repeated(`"id"`, MaxStatementIDs) + `}`, true, ""},
		{"partitions at the limit", `{"metadata":{"partitionInfo":` + repeated(`{}`, MaxPartitions) + `}}`, true, ""},
		{"statement ids over the limit", `{"statementIDs":` + repeated(`"id"`, MaxStatementIDs+1) + `}`, false, "more than 10000 statement ids"},
		{"other arrays are not counted", `{"metadata":{"context":{"columns":` + repeated(`1`, MaxColumns+1) + `}}}`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeAll(strings.NewReader(tt.body))
			if tt.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrLimit)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), "at byte ")
		})
	}
}

// heapGrowth returns the bytes allocated while f runs.
func heapGrowth(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestDecoderMemoryPerAnswer(t *testing.T) {
	// No answer makes the decoder allocate more than a small multiple of
	// its bytes (plus the fixed read buffer), however it is shaped.
	const n = 50_000
	tests := []struct {
		name string
		body string
	}{
		{"many empty columns", `{"sqlState":"00000","metadata":{"columns":` + repeated(`{}`, n) + `}}`},
		{"empty columns at the limit", `{"sqlState":"00000","metadata":{"columns":` + repeated(`{}`, MaxColumns) + `}}`},
		{"many partitions", `{"sqlState":"00000","metadata":{"partitionInfo":` + repeated(`{}`, n) + `}}`},
		{"many statement ids", `{"sqlState":"00000","statementIDs":` + repeated(`""`, n) + `}`},
		{"many short rows", `{"sqlState":"00000","data":` + repeated(`[null]`, n) + `}`},
		{"deep unknown value", `{"x":` + strings.Repeat("[", MaxNestingDepth-1) + strings.Repeat("]", MaxNestingDepth-1) + `}`},
		{"long message", `{"sqlState":"42601","message":"` + strings.Repeat("m", n) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(nil)
			grew := heapGrowth(func() {
				d.Reset(strings.NewReader(tt.body))
				_, _ = decodeWith(d)
			})
			// Columns cost more than their JSON ({} is 3 bytes, a Column
			// 80): their number is capped instead.
			limit := uint64(4*len(tt.body)) + 256<<10 + MaxColumns*80
			assert.LessOrEqual(t, grew, limit, "allocated %d bytes for a %d-byte answer", grew, len(tt.body))
		})
	}
}

// decodeWith runs Head, Next and Tail with d, discarding rows.
func decodeWith(d *Decoder) (*ResultSet, error) {
	rs, err := d.Head()
	if err != nil {
		return nil, err
	}
	var row Row
	for {
		ok, err := d.Next(&row)
		if err != nil {
			return nil, err
		}
		if !ok {
			return rs, d.Tail(rs)
		}
	}
}

// endless yields head, then filler bytes forever.
type endless struct {
	head   []byte
	filler byte
	n      int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.head)
	e.head = e.head[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.filler
	}
	e.n += int64(len(p))
	return len(p), nil
}

func TestDecoderHugeValueRejectedAtItsCap(t *testing.T) {
	const limit = 1 << 20
	for _, head := range []string{`{"data":[["`, `{"sqlState":"`, `{"metadata":{"encoding":"`} {
		t.Run(head, func(t *testing.T) {
			src := &endless{head: []byte(head), filler: 'x'}
			var err error
			grew := heapGrowth(func() {
				_, err = decodeWith(NewDecoder(src, WithMaxRowBytes(limit)))
			})
			require.ErrorIs(t, err, ErrTooLarge)
			assert.Contains(t, err.Error(), "longer than "+strconv.Itoa(limit)+" bytes")
			assert.Less(t, src.n, int64(limit+2*DefaultBufferSize), "read past the cap")
			assert.Less(t, grew, uint64(2*limit+4*DefaultBufferSize), "allocated for a value rejected at its cap")
		})
	}
}

func TestCheckFrame(t *testing.T) {
	tests := []struct {
		frame string
		kind  error
	}{
		{`{"type":"metadata","headers":{},"columns":[{"name":"a","type":"INTEGER"}]}`, nil},
		{`{"type":"data","data":["1",null]}`, nil},
		{`not json`, nil},
		{`{"type":"data","TYPE":"error"}`, ErrDuplicateKey},
		{`{"type":"data","data":[],"data":["x"]}`, ErrDuplicateKey},
		{`{"x":1,"x":2}`, nil},
		{`{"type":"metadata","columns":` + repeated(`{}`, MaxColumns) + `}`, nil},
		{`{"type":"metadata","columns":` + repeated(`{}`, MaxColumns+1) + `}`, ErrLimit},
	}
	for _, tt := range tests {
		err := CheckFrame([]byte(tt.frame))
		if tt.kind == nil {
			assert.NoError(t, err)
			continue
		}
		assert.ErrorIs(t, err, tt.kind)
		var de *DecodeError
		assert.ErrorAs(t, err, &de)
	}
}
