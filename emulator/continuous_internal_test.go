package emulator

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// TestLogReaderBackpressure: a reader whose client does not take rows
// holds one batch, however many rows wait in the store, and delivers
// them all in order once the client reads again.
func TestLogReaderBackpressure(t *testing.T) {
	eng, err := newEngine(Config{Clock: realClock{}, PartitionSize: 100, Logger: discardLogger()})
	require.NoError(t, err)
	defer eng.close()
	run := func(sql string) *server.Outcome {
		outs := eng.Execute(context.Background(), &server.Submission{
			Request: &wire.StatementRequest{Statement: sql}, Statements: []string{sql}, Now: time.Now(),
		})
		require.Equal(t, "", outs[0].SQLState, outs[0].Message)
		return outs[0]
	}
	const n = 5 * readBatch
	run(`CREATE STREAM s (i INT)`)
	var b strings.Builder
	b.WriteString("INSERT INTO s VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d)", i)
	}
	run(b.String())
	lr := run(`SELECT i FROM s WITH ('starting.position' = 'earliest')`).Stream.(*logReader)
	var held atomic.Int64
	lr.readHook = func(n int) { held.Add(int64(n)) }

	ctx, cancel := context.WithCancel(context.Background())
	blocked, release := make(chan struct{}), make(chan struct{})
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- lr.Serve(ctx, func(_ context.Context, row []*string) error {
			if len(got) == 0 {
				close(blocked)
				<-release // a client that does not read
			}
			got = append(got, *row[0])
			if len(got) == n {
				cancel()
			}
			return nil
		})
	}()
	<-blocked
	assert.Equal(t, int64(readBatch), held.Load(), "one batch read while the client stalls")
	close(release)
	assert.ErrorIs(t, <-done, context.Canceled)
	require.Len(t, got, n)
	for i, v := range got {
		require.Equal(t, fmt.Sprint(i), v)
	}
}
