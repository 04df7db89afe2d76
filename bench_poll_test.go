package deltastream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

// BenchmarkPoll measures how soon a statement that the server finishes
// after D is seen as done, and how many requests that costs (the POST
// included). Run:
//
//	go test -run '^$' -bench Poll -benchtime 20x .
func BenchmarkPoll(b *testing.B) {
	for _, d := range []time.Duration{0, 20 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond} {
		b.Run(fmt.Sprintf("D=%v", d), func(b *testing.B) {
			srv := dstest.NewServer(b)
			srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "ok").RunTime(d)
			db := openDB(b, srv)
			ctx := context.Background()
			b.ReportAllocs()
			srv.ResetRequests()
			b.ResetTimer()
			for range b.N {
				_, err := db.ExecContext(ctx, "CREATE STREAM s AS SELECT 1;")
				require.NoError(b, err)
			}
			b.StopTimer()
			perOp := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(len(srv.Requests()))/float64(b.N), "requests/op")
			b.ReportMetric(float64(perOp-d)/float64(time.Millisecond), "late-ms/op")
			b.ReportMetric(float64(perOp)/float64(time.Millisecond), "wall-ms/op")
		})
	}
}
