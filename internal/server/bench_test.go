package server

import (
	"strconv"
	"testing"
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
