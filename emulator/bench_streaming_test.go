package emulator_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// reportLatency reports the median and p99 of ds in milliseconds, with
// the metric names prefixed by what.
func reportLatency(b *testing.B, what string, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(ds[len(ds)/2]), what+"p50-ms")
	b.ReportMetric(ms(ds[len(ds)*99/100]), what+"p99-ms")
}

// insertValues is an INSERT of n pageviews rows numbered from first.
func insertValues(rel string, first, n int) string {
	var sb strings.Builder
	sb.WriteString("INSERT INTO " + rel + " VALUES ")
	for i := first; i < first+n; i++ {
		if i > first {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, 'u%d', 'p%d')", i*100, i%50, i%7)
	}
	return sb.String()
}

// benchLatency measures from an INSERT into pageviews returning to the
// row arriving at a continuous reader of rel (p50-ms, p99-ms; the row is
// usually there before the INSERT's answer), and from the INSERT being
// submitted (submit-p50-ms, submit-p99-ms).
func benchLatency(b *testing.B, setup []string, rel string) {
	_, db := start(b, emulator.Config{})
	ctx := context.Background()
	mustExec(b, db, createPageviews)
	mustExec(b, db, setup...)
	rows, err := db.QueryContext(ctx, `SELECT * FROM `+rel)
	require.NoError(b, err)
	defer rows.Close()
	lat := make([]time.Duration, 0, b.N)
	round := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		submitted := time.Now()
		_, err := db.ExecContext(ctx, insertValues("pageviews", i, 1))
		require.NoError(b, err)
		returned := time.Now()
		require.True(b, rows.Next())
		lat = append(lat, time.Since(returned))
		round = append(round, time.Since(submitted))
	}
	b.StopTimer()
	reportLatency(b, "", lat)
	reportLatency(b, "submit-", round)
}

// BenchmarkContinuousLatency: INSERT returned -> row at a continuous
// query's reader.
func BenchmarkContinuousLatency(b *testing.B) {
	benchLatency(b, nil, "pageviews")
}

// BenchmarkCSASLatency: INSERT returned -> row, moved by a CSAS, at a
// reader of the sink.
func BenchmarkCSASLatency(b *testing.B) {
	benchLatency(b, []string{`CREATE STREAM sink AS SELECT userid, pageid FROM pageviews WHERE viewtime >= 0`}, "sink")
}

// benchCatchUp measures a persistent query's throughput: n rows are in
// the source, and each iteration starts a query that reads them all from
// 'earliest' (the run happens before the CREATE returns).
func benchCatchUp(b *testing.B, n int, query func(i int) string) {
	_, db := start(b, emulator.Config{})
	ctx := context.Background()
	mustExec(b, db, createPageviews)
	for i := 0; i < n; i += 10000 {
		mustExec(b, db, insertValues("pageviews", i, min(10000, n-i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		_, err := db.ExecContext(ctx, query(i))
		require.NoError(b, err)
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkQueryFilter: rows/s through a CSAS with a filter and a
// projection.
func BenchmarkQueryFilter(b *testing.B) {
	benchCatchUp(b, 100000, func(i int) string {
		return fmt.Sprintf(`CREATE STREAM f%d AS SELECT userid, viewtime * 2 AS t FROM pageviews WITH ('starting.position' = 'earliest') WHERE pageid <> 'p3'`, i)
	})
}

// BenchmarkQueryWindow: rows/s through a tumbling-window count into a
// materialized view.
func BenchmarkQueryWindow(b *testing.B) {
	benchCatchUp(b, 100000, func(i int) string {
		return fmt.Sprintf(`CREATE MATERIALIZED VIEW w%d AS SELECT window_start, userid, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 1 MINUTE) WITH ('starting.position' = 'earliest') GROUP BY window_start, window_end, userid`, i)
	})
}

// BenchmarkQueryWindowEmit: rows/s through a tumbling-window count into
// an append stream (windows emitted as the watermark passes them).
func BenchmarkQueryWindowEmit(b *testing.B) {
	benchCatchUp(b, 100000, func(i int) string {
		return fmt.Sprintf(`CREATE STREAM e%d AS SELECT window_end, userid, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 1 MINUTE) WITH ('starting.position' = 'earliest') GROUP BY window_start, window_end, userid`, i)
	})
}

// BenchmarkQueryFlow1M streams 1M rows, 10000 per INSERT, into a
// file-backed emulator, with and without a running filter query, and
// reports the Go heap in use at 100k and at 1M rows. The query adds
// nothing per row (the rows live in SQLite); what grows a little in the
// first two is the protocol server remembering each finished INSERT
// (bounded by MaxStatements and StatementTTL). Run with -benchtime=1x.
func BenchmarkQueryFlow1M(b *testing.B) {
	const filter = `CREATE STREAM kept AS SELECT userid, pageid FROM pageviews WHERE pageid <> 'p3'`
	for _, tt := range []struct {
		name, query   string
		maxStatements int
	}{
		{"no-query", "", 0},
		{"filter-query", filter, 0},
		// The server remembers finished statements (up to MaxStatements,
		// for StatementTTL); with few remembered, what remains is the
		// emulator's own memory.
		{"filter-query-max-statements-10", filter, 10},
	} {
		b.Run(tt.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				flow1M(b, tt.query, tt.maxStatements)
			}
		})
	}
}

func flow1M(b *testing.B, query string, maxStatements int) {
	const total, batch = 1_000_000, 10_000
	emu, err := emulator.Start(emulator.Config{DataFile: filepath.Join(b.TempDir(), "flow.db"), MaxStatements: maxStatements})
	require.NoError(b, err)
	db, err := sql.Open("deltastream", emu.DSN())
	require.NoError(b, err)
	mustExec(b, db, createPageviews)
	if query != "" {
		mustExec(b, db, query)
	}
	var first, last uint64
	start := time.Now()
	for n := 0; n < total; n += batch {
		mustExec(b, db, insertValues("pageviews", n, batch))
		if (n+batch)%100_000 == 0 {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if first == 0 {
				first = ms.HeapInuse
			}
			last = ms.HeapInuse
		}
	}
	b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
	b.ReportMetric(float64(first)/(1<<20), "heap-MB-at-100k")
	b.ReportMetric(float64(last)/(1<<20), "heap-MB-at-1M")
	require.NoError(b, db.Close())
	require.NoError(b, emu.Close())
}

// BenchmarkQueryWindowIncremental: rows/s into a stream, 1000 per
// INSERT, while a tumbling-window count into a view keeps up; each
// INSERT re-reads only the windows its rows fall in.
func BenchmarkQueryWindowIncremental(b *testing.B) {
	const batch = 1000
	_, db := start(b, emulator.Config{})
	mustExec(b, db, createPageviews, `CREATE MATERIALIZED VIEW w AS SELECT window_start, userid, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 1 MINUTE) GROUP BY window_start, window_end, userid`)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		mustExec(b, db, insertValues("pageviews", i*batch, batch))
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkQueryGroupIncremental: rows/s into a stream, 1000 per
// INSERT, while a GROUP BY count into a changelog keeps up; each INSERT
// re-reads only the groups its rows belong to.
func BenchmarkQueryGroupIncremental(b *testing.B) {
	const batch = 1000
	_, db := start(b, emulator.Config{})
	mustExec(b, db, createPageviews, `CREATE CHANGELOG g AS SELECT pageid, COUNT(*) AS n FROM pageviews GROUP BY pageid`)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		mustExec(b, db, insertValues("pageviews", i*batch, batch))
	}
	b.ReportMetric(float64(b.N*batch)/time.Since(start).Seconds(), "rows/s")
}
