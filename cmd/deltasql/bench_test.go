package main

import (
	"context"
	"database/sql"
	"io"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
	"github.com/deltastream-go/deltastream/dstest"
)

const (
	benchRows      = 1_000_000
	benchPartition = 50_000
	benchSQL       = "SELECT * FROM big;"
)

// benchServer serves benchRows rows of five columns in partitions.
func benchServer(b *testing.B) *dstest.Server {
	srv := dstest.NewServer(b)
	rows := make([][]any, benchRows)
	for i := range rows {
		rows[i] = []any{int64(i), "user_" + strconv.Itoa(i%1000), float64(i) / 7, "2024-05-06 07:08:09.123", i%3 == 0}
	}
	srv.On(benchSQL).Columns(
		dstest.Col("id", "BIGINT"), dstest.Col("name", "VARCHAR"), dstest.Col("score", "DOUBLE"),
		dstest.Col("at", "TIMESTAMP(3)"), dstest.Col("flag", "BOOLEAN"),
	).Rows(rows...).PartitionSize(benchPartition)
	return srv
}

// heapWatch is an io.Writer that discards what it gets and samples the
// live heap every few MB written, to show that streaming formats do not
// keep the result.
type heapWatch struct {
	written, next int64
	peak          uint64
}

func (h *heapWatch) Write(p []byte) (int, error) {
	h.written += int64(len(p))
	if h.written >= h.next {
		h.next = h.written + 8<<20
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		h.peak = max(h.peak, ms.HeapAlloc)
	}
	return len(p), nil
}

// cpuTime is the CPU time this process used so far (user and system): on
// a loaded machine rows per CPU second compare better than rows per wall
// second. dstest serves in the same process, so both runs include it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRate reports rows/s of wall time and rows/cpu-s.
func reportRate(b *testing.B, start time.Time, cpu0 time.Duration) {
	n := float64(b.N * benchRows)
	b.ReportMetric(n/time.Since(start).Seconds(), "rows/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), "rows/cpu-s")
	}
	b.ReportMetric(0, "ns/op")
}

func baseHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkCSV reads 1M rows (5 columns, 20 partitions of 50k) from dstest
// per iteration: "driver" only scans them through database/sql into
// []any, as the fastest reader would; "shell" runs the same statement
// through the shell with --format csv to a discarding writer. Compare
// their rows/s. live-MB is the largest live heap seen while the shell
// wrote, minus the heap before (dstest's copy of the result included in
// neither).
func BenchmarkCSV(b *testing.B) {
	srv := benchServer(b)
	b.Run("driver", func(b *testing.B) {
		db, err := sql.Open("deltastream", srv.DSN())
		require.NoError(b, err)
		defer db.Close()
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu0 := time.Now(), cpuTime()
		for range b.N {
			rows, err := db.QueryContext(context.Background(), benchSQL)
			require.NoError(b, err)
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			n := 0
			for rows.Next() {
				require.NoError(b, rows.Scan(ptrs...))
				n++
			}
			require.NoError(b, rows.Err())
			require.Equal(b, benchRows, n)
			require.NoError(b, rows.Close())
		}
		reportRate(b, start, cpu0)
	})
	b.Run("shell", func(b *testing.B) {
		s, _, errOut := testShell(b, srv)
		s.format = render.CSV
		s.out = io.Discard
		b.ReportAllocs()
		b.ResetTimer()
		start, cpu0 := time.Now(), cpuTime()
		for range b.N {
			require.NoError(b, s.runStatement(context.Background(), benchSQL), errOut.String())
		}
		reportRate(b, start, cpu0)
	})
	// shell-heap samples the live heap (a forced GC every 8 MB written):
	// its time is not comparable, its live-MB is the point.
	b.Run("shell-heap", func(b *testing.B) {
		s, _, errOut := testShell(b, srv)
		s.format = render.CSV
		w := &heapWatch{}
		s.out = w
		base := baseHeap()
		for range b.N {
			require.NoError(b, s.runStatement(context.Background(), benchSQL), errOut.String())
		}
		b.ReportMetric(0, "ns/op")
		b.ReportMetric(float64(int64(w.peak)-int64(base))/(1<<20), "live-MB")
	})
}
