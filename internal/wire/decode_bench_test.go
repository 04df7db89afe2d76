package wire

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// bigBody builds a result-set body of rows rows of cols string cells: mixed
// lengths, about one null in seven, some escapes and non-ASCII text.
func bigBody(rows, cols int) []byte { return bigBodyOrder(rows, cols, false) }

// bigBodyOrder is bigBody with its keys in the service's alphabetical
// order (data first) when alpha is set.
func bigBodyOrder(rows, cols int, alpha bool) []byte {
	var meta bytes.Buffer
	meta.WriteString(`"metadata":{"columns":[`)
	for c := range cols {
		if c > 0 {
			meta.WriteByte(',')
		}
		meta.WriteString(`{"name":"c` + strconv.Itoa(c) + `","nullable":true,"type":"VARCHAR"}`)
	}
	meta.WriteString(`],"encoding":"json","partitionInfo":[{"rowCount":` + strconv.Itoa(rows) + `}]}`)
	var b bytes.Buffer
	if alpha {
		b.WriteString(`{"createdOn":1700000000,"data":[`)
	} else {
		b.WriteString(`{"sqlState":"00000","statementID":"3f0c9d7e-bench","createdOn":1700000000,`)
		b.Write(meta.Bytes())
		b.WriteString(`,"data":[`)
	}
	filler := strings.Repeat("abcdefghij", 8)
	for r := range rows {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			switch k := (r*cols + c) % 7; k {
			case 0:
				b.WriteString("null")
			case 1:
				b.WriteString(`"` + strconv.Itoa(r*31+c) + `"`)
			case 2:
				b.WriteString(`"2024-01-02 03:04:05.123456Z"`)
			case 3:
				b.WriteString(`"say \"hi\"\n\u00e9t\u00e9"`)
			case 4:
				b.WriteString(`"` + filler[:(r+c)%len(filler)] + `"`)
			case 5:
				b.WriteString(`"-1.79E+308"`)
			default:
				b.WriteString(`"{\"k\": \"v\", \"n\": [1,2,3]}"`)
			}
		}
		b.WriteByte(']')
	}
	if alpha {
		b.WriteString(`],`)
		b.Write(meta.Bytes())
		b.WriteString(`,"sqlState":"00000","statementID":"3f0c9d7e-bench"}`)
	} else {
		b.WriteString(`]}`)
	}
	return b.Bytes()
}

const benchRows, benchCols = 200_000, 12

var (
	benchBody      = sync.OnceValue(func() []byte { return bigBody(benchRows, benchCols) })
	benchBodyAlpha = sync.OnceValue(func() []byte { return bigBodyOrder(benchRows, benchCols, true) })
)

// reportRows reports rows/s, allocs/row and bytes/s for b.N bodies.
func reportRows(b *testing.B, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	rows := float64(b.N) * benchRows
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
}

// BenchmarkDecoder streams the rows of a 200,000-row body: with its keys in
// the legacy order (metadata, then data) and in the service's alphabetical
// order (data first); the decoder streams both the same way.
func BenchmarkDecoder(b *testing.B) {
	for _, alpha := range []bool{false, true} {
		name := "order=legacy"
		if alpha {
			name = "order=alphabetical"
		}
		b.Run(name, func(b *testing.B) {
			body := benchBody()
			if alpha {
				body = benchBodyAlpha()
			}
			b.SetBytes(int64(len(body)))
			d := NewDecoder(nil)
			var row Row
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for b.Loop() {
				d.Reset(bytes.NewReader(body))
				rs, err := d.Head()
				if err != nil {
					b.Fatal(err)
				}
				if n, err := drainRows(d, &row); err != nil || n != benchRows {
					b.Fatal(n, err)
				}
				if err := d.Tail(rs); err != nil {
					b.Fatal(err)
				}
			}
			reportRows(b, &before)
		})
	}
}

// BenchmarkDecoderSetAside is the path of a first answer whose rows come
// before its columns: the rows are set aside (BufferRows), the metadata
// read (Tail), then the rows decoded from the buffer (ResetData).
func BenchmarkDecoderSetAside(b *testing.B) {
	body := benchBodyAlpha()
	b.SetBytes(int64(len(body)))
	d := NewDecoder(nil)
	var row Row
	var aside []byte
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		d.Reset(bytes.NewReader(body))
		rs, err := d.Head()
		if err != nil {
			b.Fatal(err)
		}
		off := d.InputOffset() - 1
		var complete bool
		if aside, complete, err = d.BufferRows(aside[:0], len(body)); err != nil || !complete {
			b.Fatal(complete, err)
		}
		if err := d.Tail(rs); err != nil || rs.Metadata == nil {
			b.Fatal(err)
		}
		d.ResetData(bytes.NewReader(aside), off)
		if n, err := drainRows(d, &row); err != nil || n != benchRows {
			b.Fatal(n, err)
		}
		if err := d.Tail(nil); err != nil {
			b.Fatal(err)
		}
	}
	reportRows(b, &before)
}

// drainRows reads the rows left in d.
func drainRows(d *Decoder, row *Row) (int, error) {
	n := 0
	for {
		ok, err := d.Next(row)
		if err != nil || !ok {
			return n, err
		}
		n++
	}
}

func BenchmarkJSONUnmarshal(b *testing.B) {
	body := benchBody()
	b.SetBytes(int64(len(body)))
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		var rs ResultSet
		if err := json.Unmarshal(body, &rs); err != nil || len(rs.Data) != benchRows {
			b.Fatal(len(rs.Data), err)
		}
	}
	reportRows(b, &before)
}

func BenchmarkDecodeRow(b *testing.B) {
	line := []byte(`["12345",null,"2024-01-02 03:04:05.123456Z","say \"hi\"\n\u00e9t\u00e9","abcdefghijabcdefghij","-1.79E+308","{\"k\": \"v\"}",null,"x","y","z","0"]`)
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var row Row
	for b.Loop() {
		if err := DecodeRow(line, &row); err != nil {
			b.Fatal(err)
		}
	}
}
