package deltastream_test

import (
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

// Helpers shared by the streaming tests (stream_test.go,
// stream_handshake_test.go).

// promptly bounds waits for things that must happen at once; exceeding it
// fails the test instead of hanging it.
const promptly = 10 * time.Second

// waitFor fails the test unless ch is closed within promptly.
func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(promptly):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// isClosed reports whether ch is closed now.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// recv returns the next value of ch, failing the test after promptly.
func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(promptly):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// pusher pushes rows row(0), row(1), ... to st from its own goroutine until
// max rows are pushed or Push fails. It returns how many rows were written
// so far and a channel that receives Push's final error (nil after max).
func pusher(st *dstest.Stream, max int, row func(i int) []any) (*atomic.Int64, <-chan error) {
	var n atomic.Int64
	done := make(chan error, 1)
	go func() {
		for i := 0; i < max; i++ {
			if err := st.Push(row(i)...); err != nil {
				done <- err
				return
			}
			n.Add(1)
		}
		done <- nil
	}()
	return &n, done
}

func seqRow(i int) []any { return []any{fmt.Sprintf("row-%03d", i)} }

// readStrings reads single-VARCHAR rows until Next is false or n rows were read.
func readStrings(t testing.TB, rows *sql.Rows, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n && rows.Next() {
		var s sql.NullString
		require.NoError(t, rows.Scan(&s))
		got = append(got, s.String)
	}
	return got
}

func seq(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("row-%03d", i))
	}
	return out
}

// columnTypes describes every column as a string, for comparisons.
func columnTypes(t *testing.T, rows *sql.Rows) []string {
	t.Helper()
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	var out []string
	for _, ct := range cts {
		nullable, _ := ct.Nullable()
		length, hasLength := ct.Length()
		p, s, hasPS := ct.DecimalSize()
		out = append(out, fmt.Sprintf("%s %s null=%v len=%v/%d ps=%v/%d,%d scan=%v",
			ct.Name(), ct.DatabaseTypeName(), nullable, hasLength, length, hasPS, p, s, ct.ScanType()))
	}
	return out
}

// scanAll scans every row into []any.
func scanAll(t *testing.T, rows *sql.Rows) [][]any {
	t.Helper()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}
