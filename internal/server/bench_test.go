package server

import (
	"strconv"
	"testing"
	"time"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// BenchmarkNewPartition encodes 10,000 rows of 12 columns (one of the 20
// partitions of a 200,000-row result).
func BenchmarkNewPartition(b *testing.B) {
	rows := make([][]*string, 10_000)
	for r := range rows {
		row := make([]*string, 12)
		for c := range row {
			if c%3 != 2 {
				s := "value \"quoted\" " + strconv.Itoa(r*12+c)
				row[c] = &s
			}
		}
		rows[r] = row
	}
	b.SetBytes(int64(len(NewPartition(rows).JSON())))
	b.ReportAllocs()
	for b.Loop() {
		NewPartition(rows)
	}
}

// BenchmarkEncodeResult encodes the answers of one finished 12-column
// statement, as every submission does once, in each key order.
func BenchmarkEncodeResult(b *testing.B) {
	yes := true
	cols := make([]wire.Column, 12)
	for i := range cols {
		cols[i] = wire.Column{Name: "column_" + strconv.Itoa(i), Type: "VARCHAR", Nullable: &yes}
	}
	h := &resultHead{sqlState: wire.StateSuccess, statementID: "6d6b9e67-1faf-41d1-96cc-b559621fc8ae", createdOn: 1709673115, data: splitData,
		meta: &wire.Metadata{Encoding: "json", PartitionInfo: make([]wire.PartitionInfo, 20), Columns: cols,
			Context: &wire.Context{OrganizationID: "5febb10d-ac4d-466e-8afe-cef669bbb9cd", RoleName: "sysadmin", DatabaseName: "db", SchemaName: "public"}}}
	for _, order := range []KeyOrder{ServiceOrder, LegacyOrder} {
		b.Run(order.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				encodeResult(order, h)
			}
		})
	}
}

// BenchmarkDataFrame encodes the WebSocket data frame of a 12-column row
// into a reused buffer, as a streaming connection does per row.
func BenchmarkDataFrame(b *testing.B) {
	row := make([]*string, 12)
	for c := range row {
		s := "value " + strconv.Itoa(c)
		row[c] = &s
	}
	f := &wire.Frame{Type: wire.FrameData, Data: row}
	for _, order := range []KeyOrder{ServiceOrder, LegacyOrder} {
		b.Run(order.String(), func(b *testing.B) {
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				buf = appendFrame(buf[:0], order, f)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkRetention measures the statement bookkeeping of one submission
// followed by one poll (no HTTP), kept forever and with StatementTTL and
// MaxStatements in force (in steady state every submission forgets one
// statement); "kept" reports how many statements the server holds at the
// end.
func BenchmarkRetention(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  Config
	}{
		{"keep-all", Config{}},
		{"ttl-1m", Config{StatementTTL: time.Minute}},
		{"max-10000", Config{MaxStatements: 10_000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			clock := newFakeClock()
			cfg := bc.cfg
			cfg.Engine, cfg.Clock, cfg.DataplaneURL = answerAll(Outcome{}), clock, "http://127.0.0.1:1/v2"
			s, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			o := &Outcome{}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				clock.Advance(time.Millisecond) // 1000 submissions per second
				now := clock.Now()
				st := s.newStatement(o, "id-"+strconv.Itoa(i), nil, now)
				s.mu.Lock()
				s.addLocked(st, now)
				gone := s.sweepLocked(now, true)
				s.mu.Unlock()
				releaseAll(gone)
				if got := s.lookup(st.id); got != nil {
					s.release(got)
				}
			}
			s.mu.Lock()
			b.ReportMetric(float64(len(s.statements)), "kept")
			s.mu.Unlock()
		})
	}
}
