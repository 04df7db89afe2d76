package server

import (
	"strconv"
	"testing"

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
