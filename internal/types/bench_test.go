package types

import (
	"testing"
	"time"
)

func BenchmarkConvert(b *testing.B) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		b.Fatal(err)
	}
	benches := []struct{ name, typ, cell string }{
		{"BIGINT/small", "BIGINT", "42"},
		{"BIGINT/min", "BIGINT", "-9223372036854775808"},
		{"BIGINT/exponent", "BIGINT", "9.223372036854775807E+18"},
		{"INTEGER", "INTEGER", "-2147483648"},
		{"DOUBLE", "DOUBLE", "3.141592653589793"},
		{"DOUBLE/exponent", "DOUBLE", "-1.79E+308"},
		{"DECIMAL", "DECIMAL(10, 2)", "12345678.90"},
		{"BOOLEAN", "BOOLEAN", "true"},
		{"VARCHAR", "VARCHAR", "hello, world"},
		{"VARBINARY", "VARBINARY", "YmluYXJ5IGRhdGE="},
		{"DATE", "DATE", "2007-04-30"},
		{"TIME", "TIME(3)", "13:10:02.047"},
		{"TIME/zone", "TIME(7)", "13:10:02.0474381Z"},
		{"TIMESTAMP", "TIMESTAMP(3)", "2007-04-30 13:10:02.0474381"},
		{"TIMESTAMP_LTZ/Z", "TIMESTAMP_LTZ(3)", "2023-12-30 03:37:45.123Z"},
		{"TIMESTAMP_LTZ/offset", "TIMESTAMP_LTZ(3)", "2007-04-30 13:10:02+08:00"},
		{"TIMESTAMP_LTZ/nozone", "TIMESTAMP_LTZ(3)", "2007-04-30 13:10:02.123"},
		{"TIMESTAMP_TZ/Z", "TIMESTAMP_TZ(3)", "2023-12-30 03:37:45.123Z"},
		{"TIMESTAMP_TZ/offset", "TIMESTAMP_TZ(3)", "2007-04-30 13:10:02+08:00"},
		{"TINYINT/beyond-width", "TINYINT", "255"},
		{"ARRAY", "ARRAY<INT>", "[1,2,3,4]"},
	}
	for _, bb := range benches {
		col := NewColumn("c", bb.typ, true, nil, nil, nil)
		cell := []byte(bb.cell)
		if _, err := col.Convert(cell, la); err != nil {
			b.Fatal(err)
		}
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := col.Convert(cell, la); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cells/s")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for _, s := range []string{"BIGINT", "TIMESTAMP(3) WITH LOCAL TIME ZONE", `STRUCT<k VARCHAR, "Mixed" ARRAY<MAP<VARCHAR, INT>>>`} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
