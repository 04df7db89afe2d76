package deltastream_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Continuous queries: a statement whose answer carries a "streaming"
// dataplane request is read over a WebSocket (stream.go). These tests drive
// the driver through database/sql against dstest's Stream, and against a
// hand-written dataplane (fakeDataplane, in stream_handshake_test.go) for
// the protocol violations that dstest does not commit: frames out of
// order, malformed frames, an error or a close instead of the metadata.
//
// This file: reading rows, the ways a stream ends, closing, backpressure,
// limits and types. stream_handshake_test.go: what happens before the
// metadata frame (auth, handshake, failures, the metadata itself).

func TestStreamQueryReturnsRowsAfterMetadata(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM pageviews;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).Stream()
	db := openDB(t, srv)

	rows, err := db.QueryContext(context.Background(), "SELECT * FROM pageviews;")
	require.NoError(t, err)
	defer rows.Close()
	// The columns are known as soon as QueryContext returns.
	cols, err := rows.Columns()
	require.NoError(t, err)
	assert.Equal(t, []string{"userid", "n"}, cols)
	waitFor(t, st.Connected(), "the stream to connect")

	require.NoError(t, st.Push("u1", "1"))
	require.NoError(t, st.Push(nil, "2"))
	st.Close()
	var got []string
	for rows.Next() {
		var u sql.NullString
		var n int64
		require.NoError(t, rows.Scan(&u, &n))
		got = append(got, fmt.Sprintf("%s:%d", u.String, n))
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"u1:1", ":2"}, got)
	waitFor(t, st.ClientClosed(), "the socket to close")
}

func TestStreamNextWaitsForData(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	rows, err := openDB(t, srv).QueryContext(context.Background(), "SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	waitFor(t, st.Connected(), "the stream to connect")

	got := make(chan string)
	end := make(chan error, 1)
	go func() {
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				end <- err
				return
			}
			got <- s
		}
		end <- rows.Err()
	}()
	for i := range 3 {
		select {
		case s := <-got:
			t.Fatalf("a row %q arrived before it was pushed", s)
		default:
		}
		require.NoError(t, st.Push(fmt.Sprintf("row-%03d", i)))
		assert.Equal(t, fmt.Sprintf("row-%03d", i), recv(t, got, "the pushed row"))
	}
	st.Close()
	assert.NoError(t, recv(t, end, "the end of the rows"), "a normal close is the end of the rows, not an error")
}

func TestStreamEnds(t *testing.T) {
	tests := []struct {
		name  string
		cols  []dstest.Column
		end   func(srv *dstest.Server, st *dstest.Stream, cancel context.CancelFunc)
		check func(t *testing.T, err error)
	}{
		{name: "normal close", end: func(_ *dstest.Server, st *dstest.Stream, _ context.CancelFunc) { st.Close() },
			check: func(t *testing.T, err error) { assert.NoError(t, err) }},
		{name: "error frame", end: func(_ *dstest.Server, st *dstest.Stream, _ context.CancelFunc) {
			st.Fail(deltastream.StateRemoteUnavailable, "kafka unavailable")
		}, check: func(t *testing.T, err error) {
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, deltastream.StateRemoteUnavailable, de.State)
			assert.Equal(t, "kafka unavailable", de.Message)
			assert.NotEmpty(t, de.StatementID)
			assert.ErrorIs(t, err, deltastream.ErrUnavailable)
		}},
		{name: "context cancelled", end: func(_ *dstest.Server, _ *dstest.Stream, cancel context.CancelFunc) { cancel() },
			check: func(t *testing.T, err error) { assert.ErrorIs(t, err, context.Canceled) }},
		{name: "server shut down", end: func(srv *dstest.Server, _ *dstest.Stream, _ context.CancelFunc) { srv.Close() },
			check: func(t *testing.T, err error) { assert.Error(t, err, "a dropped connection is not a normal end") }},
		{name: "row with too few cells", end: func(_ *dstest.Server, st *dstest.Stream, _ context.CancelFunc) { _ = st.Push() },
			check: func(t *testing.T, err error) { assert.ErrorContains(t, err, "0 cells") }},
		{name: "cell of the wrong type", cols: []dstest.Column{dstest.Col("v", "VARCHAR"), dstest.Col("n", "BIGINT")},
			end: func(_ *dstest.Server, st *dstest.Stream, _ context.CancelFunc) {
				_ = st.Push("row-002", "not a number")
			},
			check: func(t *testing.T, err error) { assert.ErrorContains(t, err, "not a number") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			cols := tt.cols
			if cols == nil {
				cols = []dstest.Column{dstest.Col("v", "VARCHAR")}
			}
			st := srv.On("SELECT * FROM s;").Columns(cols...).Stream()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rows, err := openDB(t, srv).QueryContext(ctx, "SELECT * FROM s;")
			require.NoError(t, err)
			defer rows.Close()
			waitFor(t, st.Connected(), "the stream to connect")
			for i := range 2 {
				row := seqRow(i)
				if len(cols) == 2 {
					row = append(row, i)
				}
				require.NoError(t, st.Push(row...))
			}

			var got []string
			for rows.Next() {
				dest := make([]any, len(cols))
				for i := range dest {
					dest[i] = new(sql.NullString)
				}
				require.NoError(t, rows.Scan(dest...))
				got = append(got, dest[0].(*sql.NullString).String)
				if len(got) == 2 {
					tt.end(srv, st, cancel)
				}
			}
			assert.Equal(t, seq(0, 2), got, "exactly the complete rows, no phantom or partial row")
			t.Logf("rows.Err: %v", rows.Err())
			tt.check(t, rows.Err())
			assert.False(t, rows.Next(), "the end is final")
			require.NoError(t, rows.Close())
			waitFor(t, st.ClientClosed(), "the socket to close")
		})
	}
}

func TestStreamCloseAtAnyMoment(t *testing.T) {
	tests := []struct {
		name   string
		before func(t *testing.T, st *dstest.Stream, rows *sql.Rows) // runs before Close
		push   bool                                                  // push rows concurrently with Close
	}{
		{name: "right after QueryContext", before: func(*testing.T, *dstest.Stream, *sql.Rows) {}},
		{name: "between rows", push: true, before: func(t *testing.T, _ *dstest.Stream, rows *sql.Rows) {
			assert.Equal(t, seq(0, 1), readStrings(t, rows, 1))
		}},
		{name: "while frames arrive", push: true, before: func(t *testing.T, _ *dstest.Stream, rows *sql.Rows) {
			assert.Equal(t, seq(0, 5), readStrings(t, rows, 5))
		}},
		{name: "after an error", before: func(t *testing.T, st *dstest.Stream, rows *sql.Rows) {
			st.Fail(deltastream.StateInternalError, "boom")
			assert.Empty(t, readStrings(t, rows, 1))
			assert.Error(t, rows.Err())
		}},
		{name: "after the end", before: func(t *testing.T, st *dstest.Stream, rows *sql.Rows) {
			st.Close()
			assert.Empty(t, readStrings(t, rows, 1))
			assert.NoError(t, rows.Err())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			rows, err := openDB(t, srv).Query("SELECT * FROM s;")
			require.NoError(t, err)
			var done <-chan error
			if tt.push {
				_, done = pusher(st, 1<<20, seqRow)
			}
			tt.before(t, st, rows)
			require.NoError(t, rows.Close())
			require.NoError(t, rows.Close(), "Close is idempotent")
			assert.False(t, rows.Next())
			waitFor(t, st.ClientClosed(), "the socket to close")
			if done != nil {
				assert.ErrorIs(t, recv(t, done, "the pusher to stop"), dstest.ErrClientGone)
			}
		})
	}
}

// TestStreamDriverUnblocksNext stops a driver-level Next that waits for a
// row, from another goroutine: by Close, or by the end of the query's ctx.
// (database/sql's Rows.Close waits for a pending Next, so through
// database/sql a reader blocked in Next is stopped by its ctx.)
func TestStreamDriverUnblocksNext(t *testing.T) {
	tests := []struct {
		name string
		stop func(rows driver.Rows, cancel context.CancelFunc)
	}{
		{name: "Close", stop: func(rows driver.Rows, _ context.CancelFunc) { assert.NoError(t, rows.Close()) }},
		{name: "ctx", stop: func(_ driver.Rows, cancel context.CancelFunc) { cancel() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			db := openDB(t, srv)
			conn, err := db.Conn(context.Background())
			require.NoError(t, err)
			defer conn.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			require.NoError(t, conn.Raw(func(dc any) error {
				rows, err := dc.(driver.QueryerContext).QueryContext(ctx, "SELECT * FROM s;", nil)
				require.NoError(t, err)
				waitFor(t, st.Connected(), "the stream to connect")
				require.NoError(t, st.Push("row-000"))
				dest := make([]driver.Value, 1)
				require.NoError(t, rows.Next(dest))
				assert.Equal(t, "row-000", dest[0])

				next := make(chan error, 1)
				go func() { next <- rows.Next(make([]driver.Value, 1)) }()
				tt.stop(rows, cancel)
				assert.ErrorIs(t, recv(t, next, "Next to return"), context.Canceled)
				require.NoError(t, rows.Close())
				require.NoError(t, rows.Close())
				waitFor(t, st.ClientClosed(), "the socket to close")
				return nil
			}))
		})
	}
}

// TestStreamReadNThenClose is the way tools read a sample of an entity:
// start the continuous query, take the first rows, close it.
func TestStreamReadNThenClose(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("PRINT ENTITY pageviews;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	rows, err := openDB(t, srv).Query("PRINT ENTITY pageviews;")
	require.NoError(t, err)
	pushed, done := pusher(st, 100, seqRow)

	assert.Equal(t, seq(0, 10), readStrings(t, rows, 10))
	require.NoError(t, rows.Close())
	waitFor(t, st.ClientClosed(), "the socket to close")
	err = recv(t, done, "the pusher to stop")
	if err != nil { // all 100 rows may fit in the socket buffers
		assert.ErrorIs(t, err, dstest.ErrClientGone)
	}
	t.Logf("server wrote %d of 100 rows, client read 10", pushed.Load())
}

// TestStreamBackpressure shows that a fast server and a reader that reads
// nothing do not make the client buffer: the driver reads a frame only
// when Next asks, so once the socket buffers are full the server's writes
// block, which dstest's Stream.Written (data frames written to the socket)
// shows by no longer growing.
func TestStreamBackpressure(t *testing.T) {
	const (
		cell    = 256 << 10 // bytes per row
		maxRows = 512       // 128 MiB: far more than any socket buffers
	)
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	rows, err := openDB(t, srv).Query("SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	waitFor(t, st.Connected(), "the stream to connect")
	pad := strings.Repeat("x", cell)
	pushed, done := pusher(st, maxRows, func(i int) []any { return []any{fmt.Sprintf("row-%03d", i) + pad} })

	// A slow client still makes progress; a stalled one does not: wait
	// until no write has completed for 250ms.
	stalled := -1
	for {
		select {
		case err := <-done:
			t.Fatalf("the server wrote all %d rows (%d MiB) while the client read none (pusher: %v)", maxRows, maxRows*cell>>20, err)
		case <-time.After(250 * time.Millisecond):
		}
		n := st.Written()
		if n == stalled {
			break
		}
		stalled = n
	}
	t.Logf("server wrote %d rows (%d KiB), then blocked; client read 0", stalled, stalled*cell>>10)
	require.Less(t, stalled, maxRows/4)
	assert.LessOrEqual(t, int(pushed.Load()), stalled, "a push returns once its frame is written")

	// Reading resumes the flow, in order and without loss.
	want := stalled + 8
	for i := 0; i < want; i++ {
		require.True(t, rows.Next(), "row %d: %v", i, rows.Err())
		var s string
		require.NoError(t, rows.Scan(&s))
		require.Equal(t, fmt.Sprintf("row-%03d", i), s[:7])
		require.Len(t, s, 7+cell)
	}
	assert.GreaterOrEqual(t, st.Written(), want)
	require.NoError(t, rows.Close())
	waitFor(t, st.ClientClosed(), "the socket to close")
	assert.ErrorIs(t, recv(t, done, "the pusher to stop"), dstest.ErrClientGone)
}

// TestStreamOversizedFrame: a frame above the driver's 16 MiB limit ends
// the rows with an error instead of growing memory further.
func TestStreamOversizedFrame(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	rows, err := openDB(t, srv).Query("SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	waitFor(t, st.Connected(), "the stream to connect")
	huge := strings.Repeat("x", 17<<20)
	_, done := pusher(st, 2, func(i int) []any {
		if i == 0 {
			return seqRow(0)
		}
		return []any{huge}
	})
	assert.Equal(t, seq(0, 1), readStrings(t, rows, 2))
	assert.ErrorContains(t, rows.Err(), "limit")
	waitFor(t, st.ClientClosed(), "the socket to close")
	if err := recv(t, done, "the pusher to stop"); err != nil { // the frame may fit in the socket buffers
		assert.ErrorIs(t, err, dstest.ErrClientGone)
	}
}

// TestStreamForFixedTime consumes a continuous query for a fixed time: the
// rows arrive until the deadline, which ends the rows with
// context.DeadlineExceeded.
func TestStreamForFixedTime(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Rows(seqRow(0)).Stream()
	db := openDB(t, srv)
	_, done := pusher(st, 1<<30, func(i int) []any { return seqRow(i + 1) }) // keeps pushing

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	rows, err := db.QueryContext(ctx, "SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		// database/sql closes the rows when ctx ends, so the deadline may
		// also surface from the Scan that follows a successful Next.
		if err := rows.Scan(&s); err != nil {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			break
		}
		require.Equal(t, fmt.Sprintf("row-%03d", n), s)
		n++
	}
	assert.ErrorIs(t, rows.Err(), context.DeadlineExceeded)
	assert.Positive(t, n)
	require.NoError(t, rows.Close())
	waitFor(t, st.ClientClosed(), "the socket to close")
	assert.ErrorIs(t, recv(t, done, "the pusher to stop"), dstest.ErrClientGone)
	t.Logf("read %d rows in 500ms", n)
}

func TestStreamTypesMatchResultSet(t *testing.T) {
	cols := []dstest.Column{
		dstest.NotNullCol("id", "BIGINT"), dstest.Col("score", "DOUBLE"), dstest.Col("amount", "DECIMAL(10, 2)"),
		dstest.Col("ts", "TIMESTAMP_LTZ(3)"), dstest.Col("name", "VARCHAR(16)"), dstest.Col("ok", "BOOLEAN"),
	}
	data := [][]any{
		{"9.223372036854775807E+18", "-1.79E+308", "123.4", "2023-12-30 03:37:45.123Z", "alice", "true"},
		{"-1", "-Infinity", "0.00", "2007-04-30 13:10:02-07:00", "", "false"},
		{"2", nil, nil, nil, nil, nil},
	}
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM t;").Columns(cols...).Rows(data...).PartitionSize(2)
	st := srv.On("SELECT * FROM s;").Columns(cols...).Rows(data...).Stream()
	st.Close() // the client gets the metadata, the rows, then the end
	db := openDB(t, srv, "timezone=Asia/Tokyo")

	rsRows, err := db.Query("SELECT * FROM t;")
	require.NoError(t, err)
	defer rsRows.Close()
	stRows, err := db.Query("SELECT * FROM s;")
	require.NoError(t, err)
	defer stRows.Close()

	assert.Equal(t, columnTypes(t, rsRows), columnTypes(t, stRows))
	got := scanAll(t, stRows)
	want := scanAll(t, rsRows)
	require.Len(t, got, 3)
	assert.Equal(t, len(want), len(got))
	for i := range want {
		for j := range want[i] {
			wt, ok := want[i][j].(time.Time)
			if gt, ok2 := got[i][j].(time.Time); ok && ok2 {
				assert.True(t, wt.Equal(gt), "row %d col %d", i, j)
				assert.Equal(t, wt.Location().String(), gt.Location().String())
				continue
			}
			assert.Equal(t, want[i][j], got[i][j], "row %d col %d", i, j)
		}
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	require.NoError(t, err)
	assert.Equal(t, int64(9223372036854775807), got[0][0])
	assert.Equal(t, -1.79e308, got[0][1])
	assert.Equal(t, "123.4", got[0][2])
	assert.True(t, time.Date(2023, 12, 30, 3, 37, 45, 123e6, time.UTC).Equal(got[0][3].(time.Time)))
	assert.Equal(t, tokyo.String(), got[0][3].(time.Time).Location().String())
	assert.Equal(t, []any{int64(2), nil, nil, nil, nil, nil}, got[2])
}
