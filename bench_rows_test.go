package deltastream_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// The result the scan benchmarks read: 200,000 rows of 12 mixed columns,
// about 215 bytes of JSON per row.
const (
	resBenchRows  = 200_000
	resBenchParts = 20
	resBenchQuery = "SELECT * FROM orders;"
)

var resBenchCols = []dstest.Column{
	dstest.NotNullCol("id", "BIGINT"),
	dstest.NotNullCol("qty", "INTEGER"),
	dstest.NotNullCol("customer", "VARCHAR"),
	dstest.NotNullCol("city", "VARCHAR(32)"),
	dstest.NotNullCol("email", "VARCHAR"),
	dstest.NotNullCol("score", "DOUBLE"),
	dstest.NotNullCol("price", "DECIMAL(10, 2)"),
	dstest.NotNullCol("active", "BOOLEAN"),
	dstest.NotNullCol("ts", "TIMESTAMP(3)"),
	dstest.NotNullCol("ltz", "TIMESTAMP_LTZ(3)"),
	dstest.NotNullCol("day", "DATE"),
	dstest.Col("note", "VARCHAR"), // ~20% NULL
}

var resBenchCities = []string{"Amsterdam", "Berlin", "Chicago", "Dublin", "Edinburgh", "Frankfurt", "Geneva", "Helsinki"}

// resBenchRow returns row i of the benchmark result as wire text.
func resBenchRow(i int) []any {
	ts := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1537 * time.Millisecond)
	var note any
	if i%5 != 0 {
		note = fmt.Sprintf("note %07d: lorem ipsum dolor sit amet, consectetur", i)
	}
	return []any{
		strconv.Itoa(1_000_000 + i),
		strconv.Itoa(10_000 + i%50_000),
		fmt.Sprintf("customer-%07d", i),
		resBenchCities[i%len(resBenchCities)],
		fmt.Sprintf("user%07d@example.com", i),
		strconv.FormatFloat(float64(i)*1.0001+0.5, 'f', 4, 64),
		fmt.Sprintf("%d.%02d", 10+i%10_000, i%100),
		strconv.FormatBool(i%3 == 0),
		ts.Format("2006-01-02 15:04:05.000"),
		ts.Format("2006-01-02 15:04:05.000Z"),
		ts.Format("2006-01-02"),
		note,
	}
}

// resBenchServer scripts the benchmark result split into parts partitions
// (1: a single partition) and returns the server.
func resBenchServer(b *testing.B, parts int) *dstest.Server {
	b.Helper()
	srv := dstest.NewServer(b)
	rows := make([][]any, resBenchRows)
	for i := range rows {
		rows[i] = resBenchRow(i)
	}
	st := srv.On(resBenchQuery).Columns(resBenchCols...).Rows(rows...)
	if parts > 1 {
		st.PartitionSize(resBenchRows / parts)
	}
	return srv
}

// resBenchDest are the typed destinations of one row.
type resBenchDest struct {
	id, qty                      int64
	customer, city, email, price string
	score                        float64
	active                       bool
	ts, ltz, day                 time.Time
	note                         sql.NullString
}

func (d *resBenchDest) ptrs() []any {
	return []any{&d.id, &d.qty, &d.customer, &d.city, &d.email, &d.score, &d.price, &d.active, &d.ts, &d.ltz, &d.day, &d.note}
}

// resMallocs returns the number of heap allocations so far.
func resMallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// resReportScan reports the scan metrics of b.N reads of resBenchRows rows.
func resReportScan(b *testing.B, wireBytes int64, mallocs uint64) {
	rows := float64(b.N) * resBenchRows
	b.ReportMetric(rows/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(wireBytes)/resBenchRows, "bytes/row")
	b.ReportMetric(float64(mallocs)/rows, "allocs/row")
}

// resDriverScan reads the benchmark result through database/sql.
func resDriverScan(db *sql.DB) (int, error) {
	rows, err := db.QueryContext(context.Background(), resBenchQuery)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var d resBenchDest
	dest := d.ptrs()
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// BenchmarkScan200k reads 200,000 rows × 12 columns over 20 partitions
// through database/sql into typed destinations: from dstest, and from a
// replay server that sends the same answers with their keys in the
// service's alphabetical order ("data" before "metadata") and in the legacy
// order (metadata first, data last).
func BenchmarkScan200k(b *testing.B) {
	b.Run("dstest", func(b *testing.B) {
		srv := resBenchServer(b, resBenchParts)
		wireBytes, err := resBaselineScan(srv, srv.Client()) // warms the server's encoding cache
		if err != nil {
			b.Fatal(err)
		}
		resBenchDriver(b, openDB(b, srv), wireBytes.wire)
	})
	for _, order := range keyOrders {
		b.Run("order="+order.String(), func(b *testing.B) {
			s, wireBytes := resOrderServer(b, order, resBenchParts)
			resBenchDriver(b, openOrderDB(b, s), wireBytes)
		})
	}
}

// resBenchDriver scans the benchmark result from db b.N times.
func resBenchDriver(b *testing.B, db *sql.DB, wireBytes int64) {
	if _, err := resDriverScan(db); err != nil { // warm the connections
		b.Fatal(err)
	}
	b.ReportAllocs()
	m0 := resMallocs()
	b.ResetTimer()
	for range b.N {
		n, err := resDriverScan(db)
		if err != nil {
			b.Fatal(err)
		}
		if n != resBenchRows {
			b.Fatalf("read %d rows, want %d", n, resBenchRows)
		}
	}
	b.StopTimer()
	resReportScan(b, wireBytes, resMallocs()-m0)
}

// resOrderServer scripts the benchmark result on a replay server, in
// order, split into parts partitions, and returns it with the body bytes of
// one read.
func resOrderServer(b *testing.B, order keyOrder, parts int) (*orderServer, int64) {
	b.Helper()
	yes, no := true, false
	cols := make([]wire.Column, len(resBenchCols))
	for i, c := range resBenchCols {
		cols[i] = wire.Column{Name: c.Name, Type: c.Type, Nullable: &no}
		if c.Nullable {
			cols[i].Nullable = &yes
		}
	}
	md := &wire.Metadata{Encoding: "json", Columns: cols, Context: &wire.Context{DatabaseName: "db", SchemaName: "public"},
		PartitionInfo: make([]wire.PartitionInfo, parts)}
	size := resBenchRows / parts
	s := newOrderServer(b)
	var total int64
	for p := range parts {
		rows := make([][]*string, size)
		for i := range rows {
			cells := resBenchRow(p*size + i)
			row := make([]*string, len(cells))
			for j, c := range cells {
				if str, ok := c.(string); ok {
					row[j] = &str
				}
			}
			rows[i] = row
		}
		md.PartitionInfo[p].RowCount = int64(size)
		body := (&orderAnswer{SQLState: wire.StateSuccess, StatementID: submitID, Metadata: md, Data: rows}).encode(order)
		s.set(submitID, p, body)
		total += int64(len(body))
	}
	return s, total
}

// resBaselineAnswer is what the hand-written baseline decodes.
type resBaselineAnswer struct {
	SQLState    string `json:"sqlState"`
	Message     string `json:"message"`
	StatementID string `json:"statementID"`
	Metadata    struct {
		PartitionInfo []struct {
			RowCount int64 `json:"rowCount"`
		} `json:"partitionInfo"`
	} `json:"metadata"`
	Data [][]*string `json:"data"`
}

// resCounter counts the bytes read through it.
type resCounter struct {
	r io.Reader
	n int64
}

func (c *resCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// resBaselineStats is what one baseline read saw.
type resBaselineStats struct {
	wire int64 // body bytes of every answer
	rows int
}

// resBaselineScan is the hand-written baseline: submit with net/http,
// decode each partition with encoding/json into [][]*string, convert each
// cell with strconv and time.Parse into the same destinations as the
// driver benchmark, fetching the partitions one after the other.
func resBaselineScan(srv *dstest.Server, hc *http.Client) (resBaselineStats, error) {
	var st resBaselineStats
	do := func(req *http.Request) (*resBaselineAnswer, error) {
		req.Header.Set("Authorization", "Bearer "+srv.Token())
		resp, err := hc.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		c := &resCounter{r: resp.Body}
		var a resBaselineAnswer
		if err := json.NewDecoder(c).Decode(&a); err != nil {
			return nil, err
		}
		st.wire += c.n
		if a.SQLState != "00000" {
			return nil, fmt.Errorf("sqlState %s: %s", a.SQLState, a.Message)
		}
		return &a, nil
	}
	body, _ := json.Marshal(map[string]any{"statement": resBenchQuery, "parameters": map[string]string{"timezone": "UTC"}})
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/statements", bytes.NewReader(body))
	if err != nil {
		return st, err
	}
	req.Header.Set("Content-Type", "application/json")
	a, err := do(req)
	if err != nil {
		return st, err
	}
	var d resBenchDest
	id := a.StatementID
	for p := 0; p < len(a.Metadata.PartitionInfo); p++ {
		if p > 0 {
			req, err := http.NewRequest(http.MethodGet, srv.URL()+"/statements/"+id+"?partitionID="+strconv.Itoa(p)+"&timezone=UTC", nil)
			if err != nil {
				return st, err
			}
			if a, err = do(req); err != nil {
				return st, err
			}
		}
		for _, row := range a.Data {
			if err := resBaselineConvert(row, &d); err != nil {
				return st, fmt.Errorf("partition %d: %w", p, err)
			}
			st.rows++
		}
	}
	return st, nil
}

var errResNull = errors.New("NULL in a NOT NULL column")

// resBaselineConvert converts one row the way a hand-written client would.
func resBaselineConvert(row []*string, d *resBenchDest) error {
	if len(row) != 12 {
		return fmt.Errorf("row has %d cells", len(row))
	}
	for i := 0; i < 11; i++ {
		if row[i] == nil {
			return errResNull
		}
	}
	var err error
	if d.id, err = strconv.ParseInt(*row[0], 10, 64); err != nil {
		return err
	}
	if d.qty, err = strconv.ParseInt(*row[1], 10, 32); err != nil {
		return err
	}
	d.customer, d.city, d.email = *row[2], *row[3], *row[4]
	if d.score, err = strconv.ParseFloat(*row[5], 64); err != nil {
		return err
	}
	d.price = *row[6]
	if d.active, err = strconv.ParseBool(*row[7]); err != nil {
		return err
	}
	if d.ts, err = time.Parse("2006-01-02 15:04:05.999999999", *row[8]); err != nil {
		return err
	}
	if d.ltz, err = time.Parse("2006-01-02 15:04:05.999999999Z07:00", *row[9]); err != nil {
		return err
	}
	if d.day, err = time.Parse(time.DateOnly, *row[10]); err != nil {
		return err
	}
	if row[11] != nil {
		d.note = sql.NullString{String: *row[11], Valid: true}
	} else {
		d.note = sql.NullString{}
	}
	return nil
}

// BenchmarkScan200kBaseline reads the same result as BenchmarkScan200k
// with net/http and encoding/json, for comparison.
func BenchmarkScan200kBaseline(b *testing.B) {
	srv := resBenchServer(b, resBenchParts)
	hc := srv.Client()
	first, err := resBaselineScan(srv, hc)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	m0 := resMallocs()
	b.ResetTimer()
	for range b.N {
		st, err := resBaselineScan(srv, hc)
		if err != nil {
			b.Fatal(err)
		}
		if st.rows != resBenchRows {
			b.Fatalf("read %d rows, want %d", st.rows, resBenchRows)
		}
	}
	b.StopTimer()
	resReportScan(b, first.wire, resMallocs()-m0)
}

// resHeapObjects returns the bytes of heap objects, live or not yet swept.
func resHeapObjects() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// BenchmarkScanSinglePartitionHeap reads 200,000 rows held in ONE ~43 MB
// partition and reports how much the heap grows while scanning, from
// dstest and from the replay server in both key orders. In the service's
// alphabetical order the rows come before the columns: the driver sets
// aside the first 8 MiB, reads on to the metadata, and reads the partition
// again, streaming.
//
//   - peak-heap-MB: the growth of the live heap (a runtime.GC() before each
//     sample, every 10,000 rows) over the heap measured after scripting and
//     before the query (which holds the server's pre-encoded partition);
//     this is what the driver keeps while reading.
//   - peak-heap-nogc-MB: the same growth sampled every 1,000 rows without
//     forcing collections in a second read; it includes garbage not yet
//     collected, so it depends on GOGC and on the size of the live heap.
func BenchmarkScanSinglePartitionHeap(b *testing.B) {
	b.Run("dstest", func(b *testing.B) {
		srv := resBenchServer(b, 1)
		st, err := resBaselineScan(srv, srv.Client()) // encodes and caches the partition
		if err != nil {
			b.Fatal(err)
		}
		resBenchHeap(b, openDB(b, srv), st.wire)
	})
	for _, order := range keyOrders {
		b.Run("order="+order.String(), func(b *testing.B) {
			s, wireBytes := resOrderServer(b, order, 1)
			resBenchHeap(b, openOrderDB(b, s), wireBytes)
		})
	}
}

// resBenchHeap scans the single-partition result from db and reports the
// growth of the heap.
func resBenchHeap(b *testing.B, db *sql.DB, wireBytes int64) {
	var peakLive, peakRaw int64
	scan := func(every int, gc bool) int64 {
		runtime.GC()
		runtime.GC() // empties the pools' victim caches too
		base := resHeapObjects()
		peak := int64(0)
		rows, err := db.Query(resBenchQuery)
		if err != nil {
			b.Fatal(err)
		}
		defer rows.Close()
		var d resBenchDest
		dest := d.ptrs()
		n := 0
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				b.Fatal(err)
			}
			if n++; n%every == 0 {
				if gc {
					runtime.GC()
				}
				peak = max(peak, resHeapObjects()-base)
			}
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
		if n != resBenchRows {
			b.Fatalf("read %d rows, want %d", n, resBenchRows)
		}
		return peak
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		peakLive = max(peakLive, scan(10_000, true))
		peakRaw = max(peakRaw, scan(1_000, false))
	}
	b.StopTimer()
	b.ReportMetric(float64(peakLive)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakRaw)/(1<<20), "peak-heap-nogc-MB")
	b.ReportMetric(float64(wireBytes)/(1<<20), "partition-MB")
}
