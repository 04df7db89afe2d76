package deltastream_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// BenchmarkStatementPath measures the allocations of the normal (not
// async, not resumed, no hooks) statement path, to check that the
// long-running statement features cost nothing when unused. Run:
//
//	go test -run '^$' -bench StatementPath -benchtime 2000x .
func BenchmarkStatementPath(b *testing.B) {
	srv := dstest.NewServer(b)
	srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "ok")
	srv.On("CREATE STREAM p AS SELECT 1;").CommandResult("stream", "p", "CREATE", "ok").RunTime(time.Millisecond)
	srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{"1"})
	db := openDB(b, srv, "minPollInterval=1ms")
	ctx := context.Background()
	b.Run("exec", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, err := db.ExecContext(ctx, "CREATE STREAM s AS SELECT 1;")
			require.NoError(b, err)
		}
	})
	b.Run("exec-polled", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			_, err := db.ExecContext(ctx, "CREATE STREAM p AS SELECT 1;")
			require.NoError(b, err)
		}
	})
	b.Run("exec-polled-hooks", func(b *testing.B) {
		// The same with the accepted and progress hooks set: what they
		// cost when used.
		polls := 0
		hctx := deltastream.WithProgress(ctx, func(p deltastream.Progress) { polls++ })
		hctx = deltastream.WithStatementAccepted(hctx, func(deltastream.StatementInfo) {})
		b.ReportAllocs()
		for range b.N {
			_, err := db.ExecContext(hctx, "CREATE STREAM p AS SELECT 1;")
			require.NoError(b, err)
		}
		b.ReportMetric(float64(polls)/float64(b.N), "polls/op")
	})
	b.Run("query", func(b *testing.B) {
		b.ReportAllocs()
		var x int
		for range b.N {
			require.NoError(b, db.QueryRowContext(ctx, "SELECT 1;").Scan(&x))
		}
	})
}
