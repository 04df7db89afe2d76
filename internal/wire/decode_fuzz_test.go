package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// mirrorResultSet is ResultSet with raw cells, to tell which bodies
// encoding/json rejects only because a cell is a number or boolean.
type mirrorResultSet struct {
	SQLState     string              `json:"sqlState"`
	Message      string              `json:"message,omitempty"`
	StatementID  string              `json:"statementID"`
	StatementIDs []string            `json:"statementIDs,omitempty"`
	CreatedOn    int64               `json:"createdOn"`
	Metadata     *Metadata           `json:"metadata,omitempty"`
	Data         [][]json.RawMessage `json:"data,omitempty"`
}

// liberalCells converts raw cells the way the decoder reads them, reporting
// whether any cell is a number or boolean, and whether all are scalars.
func liberalCells(raw []json.RawMessage) (cells []*string, nonString, ok bool) {
	cells = make([]*string, len(raw))
	for i, c := range raw {
		switch {
		case len(c) == 0 || string(c) == "null":
		case c[0] == '"':
			var s string
			if json.Unmarshal(c, &s) != nil {
				return nil, false, false
			}
			cells[i] = &s
		case c[0] == '{' || c[0] == '[':
			return nil, false, false
		default:
			s := string(c)
			cells[i] = &s
			nonString = true
		}
	}
	return cells, nonString, true
}

var fuzzBodySeeds = []string{
	sampleBody,
	`{"sqlState":"03000","statementID":"s","createdOn":5}`,
	`{"data":null,"DATA":[["a"]]}`,
	`{"data":[["a"]],"sqlState":"00000","metadata":{"encoding":"json"}}`,
	`{"x":{"y":[1,2.5e3,-0,true,false,null,"\u0041"]},"data":[null,["z"]],"z":[]}`,
	`{"SQLSTATE":"1","ſqlState":"2","Message":"m","\u0064ata":[]}`,
	`{"metadata":{"encoding":"a"},"data":[],"metadata":{"columns":[{"name":"n","type":"T","nullable":false,"length":3}]}}`,
	" null ",
	"{\"data\":[[\"a\xffb\", \"\\ud800\", \"\\udc00\\ud800x\", \"\\ud800\\u0041\", \"\xed\xa0\x80\"]]}",
	`{"data":[[1,-2.5e-3,true,false,0]]}`,
	`{"data":[["a",{"k":1}]]}`,
	`{"data":[["a"]],"data":[["b"]]}`,
	`{"createdOn":"x"}`,
	`{"createdOn":1e3}`,
	`{"statementIDs":["a","b"],"statementIDs":null,"message":"\"\\\/\b\f\n\r\t"}`,
	`{"data":[["\ud83d\ude00","é€😀"]]} `,
	`{"data":[["a",]]}`,
	`{"data":["a"]}`,
	`[]`,
	`{"metadata":{"dataplaneRequest":{"token":"t","uri":"wss://x/v2/print/1","statementID":"s","requestType":"streaming"},"context":{"schemaName":"s"}}}`,
	// The service's alphabetical order, and duplicate keys.
	`{"createdOn":1709673115,"data":[],"metadata":{"columns":null,"context":{"databaseName":"db"},"dataplaneRequest":{"requestType":"streaming","statementID":"a","token":"t","uri":"wss://x/v2/print/a"},"encoding":"json","partitionInfo":null},"sqlState":"00000","statementID":"a"}`,
	`{"createdOn":1,"data":[["1",null]],"metadata":{"columns":[{"name":"a","nullable":true,"type":"BIGINT"}],"encoding":"json","partitionInfo":[{"rowCount":1}]},"sqlState":"00000","statementID":"s","statementIDs":["s"]}`,
	`{"sqlState":"00000","data":[["a"]],"sqlState":"42601"}`,
	`{"metadata":{"columns":[],"Columns":[{}],"partitionInfo":[{},{}]}}`,
}

func FuzzDecoder(f *testing.F) {
	for _, s := range fuzzBodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeAll(bytes.NewReader(body))
		// Buffer boundaries must not matter.
		small, smallErr := decodeAll(iotest.OneByteReader(bytes.NewReader(body)), WithBufferSize(16))
		require.Equal(t, err == nil, smallErr == nil, "buffer size changes the outcome: %v / %v", err, smallErr)
		if err == nil {
			require.Equal(t, got, small)
		} else {
			require.Equal(t, err.Error(), smallErr.Error())
			var de *DecodeError
			require.ErrorAs(t, err, &de)
		}

		var ref ResultSet
		refErr := json.Unmarshal(body, &ref)
		if refErr == nil {
			if errors.Is(err, ErrDuplicateKey) {
				require.True(t, hasDuplicateKey(body), "no duplicate key in %q", body)
				return // documented: encoding/json keeps the last value
			}
			require.NoError(t, err, "encoding/json accepts %q", body)
			require.Equal(t, ref.Data != nil, got.hasRows)
			require.Equal(t, strs2(ref.Data), strs2(got.rows))
			ref.Data = nil
			require.Equal(t, ref, got.head)
			return
		}
		if err != nil {
			return
		}
		require.False(t, hasDuplicateKey(body), "duplicate key accepted in %q", body)
		// Accepted although encoding/json rejects it: only number or boolean
		// cells may be the reason.
		var m mirrorResultSet
		require.NoError(t, json.Unmarshal(body, &m), "decoder accepts %q, encoding/json says %v", body, refErr)
		nonString := false
		require.Len(t, got.rows, len(m.Data))
		for i, raw := range m.Data {
			cells, ns, ok := liberalCells(raw)
			require.True(t, ok, "row %d of %q", i, body)
			nonString = nonString || ns
			require.Equal(t, strs(cells), strs(got.rows[i]), "row %d", i)
		}
		require.True(t, nonString, "decoder accepts %q, encoding/json says %v", body, refErr)
		require.Equal(t, m.Data != nil, got.hasRows)
		require.Equal(t, ResultSet{SQLState: m.SQLState, Message: m.Message, StatementID: m.StatementID,
			StatementIDs: m.StatementIDs, CreatedOn: m.CreatedOn, Metadata: m.Metadata}, got.head)
	})
}

func FuzzDecodeRow(f *testing.F) {
	for _, s := range []string{`["a",null,"\u00e9"]`, ` [ ] `, `null`, `[1,true,false,-0.5E+2]`, `["a",{}]`,
		`{"a":1}`, `"a"`, `["a"] x`, `["a",]`, "[\"\\ud800\\udc00\xff\"]", `[["a"]]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var row Row
		err := DecodeRow(b, &row)
		var ref []*string
		refErr := json.Unmarshal(b, &ref)
		if refErr == nil {
			require.NoError(t, err, "encoding/json accepts %q", b)
			require.Equal(t, strs(ref), strs(rowStrings(&row)))
			return
		}
		if err != nil {
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			return
		}
		var m []json.RawMessage
		require.NoError(t, json.Unmarshal(b, &m), "DecodeRow accepts %q, encoding/json says %v", b, refErr)
		cells, nonString, ok := liberalCells(m)
		require.True(t, ok && nonString, "DecodeRow accepts %q, encoding/json says %v", b, refErr)
		require.Equal(t, strs(cells), strs(rowStrings(&row)))
	})
}

// hasDuplicateKey reports whether the top-level object b holds one of the
// keys the Decoder reads twice (case-insensitively), by encoding/json's
// tokenizer; false when b is not a valid object.
func hasDuplicateKey(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	seen := map[int]bool{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := t.(string)
		for k, name := range headerKeys {
			if bytes.EqualFold([]byte(key), name) {
				if seen[k] {
					return true
				}
				seen[k] = true
			}
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return false
		}
	}
	return false
}

// FuzzBufferRows checks that rows set aside with BufferRows and decoded
// again with ResetData are the rows Next streams, with the same header.
func FuzzBufferRows(f *testing.F) {
	for _, s := range fuzzBodySeeds {
		f.Add([]byte(s), uint16(1<<15))
		f.Add([]byte(s), uint16(8))
	}
	f.Fuzz(func(t *testing.T, body []byte, limit uint16) {
		want, wantErr := decodeAll(bytes.NewReader(body))
		d := NewDecoder(iotest.HalfReader(bytes.NewReader(body)), WithBufferSize(16))
		rs, err := d.Head()
		if err != nil {
			require.Error(t, wantErr)
			return
		}
		hasRows := d.HasRows()
		var rows [][]*string
		if d.AtRows() {
			off := d.InputOffset() - 1
			raw, complete, err := d.BufferRows(nil, int(limit))
			if err == nil {
				err = d.Tail(rs)
			}
			if err != nil {
				require.Error(t, wantErr, "BufferRows or Tail: %v", err)
				return
			}
			if !complete {
				// The cells were not decoded (the caller fetches them again).
				if wantErr == nil {
					require.Equal(t, want.head, *rs)
				}
				return
			}
			require.LessOrEqual(t, len(raw), int(limit))
			d.ResetData(bytes.NewReader(raw), off)
			var row Row
			for {
				ok, err := d.Next(&row)
				if err != nil {
					require.Error(t, wantErr)
					return
				}
				if !ok {
					break
				}
				rows = append(rows, rowStrings(&row))
			}
			require.NoError(t, d.Tail(nil))
		} else if err := d.Tail(rs); err != nil {
			require.Error(t, wantErr)
			return
		}
		require.NoError(t, wantErr)
		require.Equal(t, want.head, *rs)
		require.Equal(t, want.hasRows, hasRows)
		require.Equal(t, strs2(want.rows), strs2(rows))
	})
}

// FuzzCountMetadata checks the counts taken before decoding against what
// encoding/json decodes.
func FuzzCountMetadata(f *testing.F) {
	for _, s := range []string{`{"columns":[{},{"name":"a"}],"partitionInfo":[{"rowCount":1}]}`, `null`, `{"Columns":null}`,
		`{"columns":[],"COLUMNS":[{}]}`, `{"partitionInfo":{}}`, `{"context":{"columns":[1,2]}}`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		cols, parts := countMetadata(b)
		var m *Metadata
		if json.Unmarshal(b, &m) != nil || m == nil {
			return
		}
		if m.Columns != nil {
			require.GreaterOrEqual(t, cols, len(m.Columns), "%q", b)
		}
		if m.PartitionInfo != nil {
			require.GreaterOrEqual(t, parts, len(m.PartitionInfo), "%q", b)
		}
	})
}
