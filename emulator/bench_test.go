package emulator_test

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// BenchmarkRoundTrip measures one small statement through database/sql,
// the driver and the embedded emulator on loopback: median and p99.
func BenchmarkRoundTrip(b *testing.B) {
	_, db := start(b, emulator.Config{})
	mustExec(b, db, `CREATE CHANGELOG kv (k INT, v VARCHAR, PRIMARY KEY(k));`, `INSERT INTO kv VALUES (1, 'one'), (2, 'two');`)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		var v string
		if err := db.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = 1;`).Scan(&v); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// valuesRows returns a multi-row VALUES list of n rows starting at key
// first.
func valuesRows(first, n int) string {
	var s strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			s.WriteString(", ")
		}
		fmt.Fprintf(&s, "(%d, 'user_%d', %d.25)", first+i, (first+i)%1000, first+i)
	}
	return s.String()
}

// BenchmarkInsertMultiRow measures INSERT throughput with 1000 rows per
// statement into a changelog (log append plus keyed upsert) and a stream.
func BenchmarkInsertMultiRow(b *testing.B) {
	for _, kind := range []string{"CHANGELOG", "STREAM"} {
		b.Run(kind, func(b *testing.B) {
			_, db := start(b, emulator.Config{})
			key := ", PRIMARY KEY(id)"
			if kind == "STREAM" {
				key = ""
			}
			mustExec(b, db, `CREATE `+kind+` t (id BIGINT, name VARCHAR, amount DECIMAL(12, 2)`+key+`);`)
			const batch = 1000
			stmts := make([]string, 8)
			for i := range stmts {
				stmts[i] = `INSERT INTO t VALUES ` + valuesRows(i*batch, batch) + `;`
			}
			b.ReportAllocs()
			b.ResetTimer()
			m0 := mallocs()
			for i := 0; i < b.N; i++ {
				if _, err := db.Exec(stmts[i%len(stmts)]); err != nil {
					b.Fatal(err)
				}
			}
			// Client and emulator share the process: allocs/row counts both.
			b.ReportMetric(float64(mallocs()-m0)/float64(b.N*batch), "allocs/row")
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// mallocs is the process's allocation count so far.
func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}

// BenchmarkRead1M reads a materialized view of one million rows through
// the driver (dataplane result set, paged). Run it alone:
//
//	go test -run XXX -bench Read1M -benchtime 1x ./emulator
func BenchmarkRead1M(b *testing.B) {
	const total = 1_000_000
	_, db := start(b, emulator.Config{PartitionSize: 50_000})
	mustExec(b, db, `CREATE CHANGELOG src (id BIGINT, name VARCHAR, amount DECIMAL(12, 2), PRIMARY KEY(id));`)
	for first := 0; first < total; first += 5000 {
		mustExec(b, db, `INSERT INTO src VALUES `+valuesRows(first, 5000)+`;`)
	}
	mustExec(b, db, `CREATE MATERIALIZED VIEW big AS SELECT id, name, amount FROM src;`)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	b.ReportAllocs()
	b.ResetTimer()
	var peak uint64
	for i := 0; i < b.N; i++ {
		rows, err := db.Query(`SELECT * FROM big;`)
		require.NoError(b, err)
		n := 0
		var id int64
		var name, amount sql.RawBytes
		for rows.Next() {
			if err := rows.Scan(&id, &name, &amount); err != nil {
				b.Fatal(err)
			}
			n++
			if n%100_000 == 0 {
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
		require.NoError(b, rows.Err())
		require.NoError(b, rows.Close())
		require.Equal(b, total, n)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1M-rows")
	b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rows/s")
	// Heap in use while reading, above what the loaded emulator held
	// before (sampled every 100k rows; includes garbage not yet collected).
	b.ReportMetric(float64(peak-min(peak, base.HeapInuse))/(1<<20), "heap-growth-MiB")
}

// BenchmarkHammer is the heavy version of TestHammer32Clients.
func BenchmarkHammer(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_, db := start(b, emulator.Config{})
		db.SetMaxOpenConns(32)
		start := time.Now()
		hammer(b, db, 32, 20, 100)
		b.ReportMetric(float64(32*20*100)/time.Since(start).Seconds(), "rows/s")
	}
}
