package deltastream_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Continuous queries: a statement whose answer carries a "streaming"
// dataplane request is read over a WebSocket (stream.go). These tests drive
// the driver through database/sql against dstest's Stream, and against a
// hand-written dataplane (fakeDataplane) for what dstest cannot express:
// the auth frame's content, metadata-frame length/precision/scale, frames
// out of order.

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

// fakeClock is a server clock that a test moves forward.
type fakeClock struct{ off atomic.Int64 }

func (c *fakeClock) Now() time.Time {
	return time.Unix(1_700_000_000, 0).Add(time.Duration(c.off.Load()))
}

func TestStreamQueryFailsBeforeMetadata(t *testing.T) {
	tests := []struct {
		name   string
		frames []string // sent by the fake dataplane after the auth frame
		status int      // refuse the handshake with this status instead
		state  string   // want an *Error with this State (and HTTPStatus)
		http   int
		msg    string // the error mentions this
	}{
		{name: "error frame", frames: []string{`{"type":"error","headers":{},"message":"relation pv not found","sqlCode":"3D020"}`},
			state: "3D020", http: http.StatusOK, msg: "relation pv not found"},
		{name: "six-character sql code", frames: []string{`{"type":"error","headers":{},"message":"ambiguous","sqlCode":"42P002"}`},
			state: "42P002", http: http.StatusOK, msg: "ambiguous"},
		{name: "data before metadata", frames: []string{`{"type":"data","headers":{},"data":["x"]}`}, msg: "before metadata"},
		{name: "malformed frame", frames: []string{`{"type":`}, msg: "malformed frame"},
		{name: "handshake refused", status: http.StatusForbidden, http: http.StatusForbidden, msg: "403"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			dp := newFakeDataplane(t, tt.status, func(ctx context.Context, c *websocket.Conn) {
				for _, f := range tt.frames {
					_ = c.Write(ctx, websocket.MessageText, []byte(f))
				}
				<-c.CloseRead(ctx).Done()
			})
			dp.serve(srv, "SELECT * FROM pv;")
			db := openDB(t, srv)

			rows, err := db.QueryContext(context.Background(), "SELECT * FROM pv;")
			require.Error(t, err)
			assert.Nil(t, rows)
			assert.Contains(t, err.Error(), tt.msg)
			var de *deltastream.Error
			if tt.http != 0 {
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tt.state, de.State)
				assert.Equal(t, tt.http, de.HTTPStatus)
			} else {
				assert.False(t, errors.As(err, &de), "not a service error: %v", err)
			}
			assert.Contains(t, err.Error(), fakeStatementID, "the error names the statement")
			if tt.status == 0 {
				waitFor(t, dp.gone, "the driver to close the socket")
			}
		})
	}

	t.Run("expired dataplane token", func(t *testing.T) {
		clock := &fakeClock{}
		srv := dstest.NewServer(t, dstest.WithClock(clock))
		srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
		// The token expires (~5 min) between the answer and the handshake.
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if strings.Contains(r.Path, "/print/") {
				clock.off.Add(int64(time.Hour))
			}
			return nil
		})
		_, err := openDB(t, srv).QueryContext(context.Background(), "SELECT * FROM s;")
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, deltastream.StateInsufficientPrivilege, de.State)
		assert.NotEmpty(t, de.StatementID)
	})
}

// A stream the server closes normally before its metadata is an empty
// result without columns.
func TestStreamClosedBeforeMetadata(t *testing.T) {
	srv := dstest.NewServer(t)
	dp := newFakeDataplane(t, 0, func(ctx context.Context, c *websocket.Conn) {
		_ = c.Close(websocket.StatusNormalClosure, "")
	})
	dp.serve(srv, "SELECT * FROM s;")
	rows, err := openDB(t, srv).Query("SELECT * FROM s;")
	require.NoError(t, err)
	cols, err := rows.Columns()
	require.NoError(t, err)
	assert.Empty(t, cols)
	assert.False(t, rows.Next())
	assert.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	waitFor(t, dp.gone, "the socket to close")
}

func TestStreamQueryContextEndsBeforeMetadata(t *testing.T) {
	t.Run("already cancelled", func(t *testing.T) {
		srv := dstest.NewServer(t)
		srv.On("SELECT * FROM s;").Stream()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := openDB(t, srv).QueryContext(ctx, "SELECT * FROM s;")
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, srv.Submitted("SELECT * FROM s;"))
	})
	t.Run("during the handshake", func(t *testing.T) {
		srv := dstest.NewServer(t)
		srv.On("SELECT * FROM s;").Stream()
		handshake := make(chan struct{})
		var once sync.Once
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if !strings.Contains(r.Path, "/print/") {
				return nil
			}
			once.Do(func() { close(handshake) })
			return &dstest.Fault{Hang: true}
		})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := openDB(t, srv).QueryContext(ctx, "SELECT * FROM s;")
			done <- err
		}()
		waitFor(t, handshake, "the handshake")
		cancel()
		assert.ErrorIs(t, recv(t, done, "QueryContext"), context.Canceled)
	})
	t.Run("waiting for metadata", func(t *testing.T) {
		srv := dstest.NewServer(t)
		dp := newFakeDataplane(t, 0, func(ctx context.Context, c *websocket.Conn) {
			<-c.CloseRead(ctx).Done() // never sends metadata
		})
		dp.serve(srv, "SELECT * FROM s;")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := openDB(t, srv).QueryContext(ctx, "SELECT * FROM s;")
			done <- err
		}()
		recv(t, dp.auths, "the auth frame")
		cancel()
		err := recv(t, done, "QueryContext")
		assert.ErrorIs(t, err, context.Canceled)
		waitFor(t, dp.gone, "the driver to close the socket")
	})
}

func TestStreamAuthFrameAndSessionHeader(t *testing.T) {
	tests := []struct {
		name      string
		params    []string
		sessionID string
	}{
		{name: "with session id", params: []string{"sessionID=sess-42"}, sessionID: "sess-42"},
		{name: "without session id"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/fake dataplane", func(t *testing.T) {
			srv := dstest.NewServer(t)
			dp := newFakeDataplane(t, 0, func(ctx context.Context, c *websocket.Conn) {
				_ = c.Write(ctx, websocket.MessageText, []byte(`{"type":"metadata","headers":{},"columns":[]}`))
				<-c.CloseRead(ctx).Done()
			})
			dp.serve(srv, "PRINT ENTITY pv;")
			rows, err := openDB(t, srv, tt.params...).QueryContext(context.Background(), "PRINT ENTITY pv;")
			require.NoError(t, err)
			require.NoError(t, rows.Close())

			auth := recv(t, dp.auths, "the auth frame")
			assert.JSONEq(t, fmt.Sprintf(`{"type":"auth","accessToken":%q,"sessionId":%q}`, fakeDataplaneToken, tt.sessionID), auth)
			h := recv(t, dp.headers, "the handshake")
			assert.Equal(t, tt.sessionID, h.Get("ds-session-id"))
			assert.Empty(t, h.Get("Authorization"), "the API token must not travel to the dataplane")
			waitFor(t, dp.gone, "the socket to close")
		})
		t.Run(tt.name+"/dstest", func(t *testing.T) {
			srv := dstest.NewServer(t)
			st := srv.On("PRINT ENTITY pv;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			rows, err := openDB(t, srv, tt.params...).QueryContext(context.Background(), "PRINT ENTITY pv;")
			require.NoError(t, err) // dstest accepted the dataplane token
			require.NoError(t, rows.Close())
			waitFor(t, st.ClientClosed(), "the socket to close")

			var ws []dstest.Request
			for _, r := range srv.Requests() {
				if strings.Contains(r.Path, "/print/") {
					ws = append(ws, r)
				}
			}
			require.Len(t, ws, 1)
			vals, sent := ws[0].Header["Ds-Session-Id"]
			assert.Equal(t, tt.sessionID != "", sent)
			if sent {
				assert.Equal(t, []string{tt.sessionID}, vals)
			}
			assert.Empty(t, ws[0].Header.Get("Authorization"))
		})
	}
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
// block. dstest's Push returns once the frame is written to the socket; a
// probe push with a deadline that cannot even be handed to the connection
// shows the connection is stuck in a write.
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

	probes, last := 0, int64(-1)
	for {
		pctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
		err := st.PushContext(pctx, "probe")
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			// The connection has been writing one row for 250ms. A slow
			// client still makes progress; a stalled one does not.
			n := pushed.Load()
			if n == last {
				break
			}
			last = n
			continue
		}
		require.NoError(t, err)
		probes++
		select {
		case err := <-done:
			t.Fatalf("the server wrote all %d rows (%d MiB) while the client read none (pusher: %v)", maxRows, maxRows*cell>>20, err)
		default:
		}
	}
	stalled := int(pushed.Load())
	t.Logf("server wrote %d rows (%d KiB) and %d probes, then blocked; client read 0", stalled, stalled*cell>>10, probes)
	require.Less(t, stalled, maxRows/4)

	// Reading resumes the flow, in order and without loss.
	want := stalled + 8
	for i := 0; i < want; {
		require.True(t, rows.Next(), "row %d: %v", i, rows.Err())
		var s string
		require.NoError(t, rows.Scan(&s))
		if s == "probe" {
			continue
		}
		require.Equal(t, fmt.Sprintf("row-%03d", i), s[:7])
		require.Len(t, s, 7+cell)
		i++
	}
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

func TestStreamMetadataFrameParameters(t *testing.T) {
	srv := dstest.NewServer(t)
	dp := newFakeDataplane(t, 0, func(ctx context.Context, c *websocket.Conn) {
		for _, f := range []string{
			`{"type":"metadata","headers":{},"columns":[
				{"name":"v","type":"VARCHAR","length":32},
				{"name":"d","type":"DECIMAL","precision":12,"scale":3},
				{"name":"ts","type":"TIMESTAMP_LTZ","precision":3},
				{"name":"n","type":"BIGINT"},
				{"name":"nn","type":"BIGINT","nullable":false},
				{"name":"x","type":"BIGINT NOT NULL"}]}`,
			`{"type":"data","headers":{},"data":["abc","1.500","2023-12-30 03:37:45Z",null,"8","9"]}`,
		} {
			if c.Write(ctx, websocket.MessageText, []byte(f)) != nil {
				return
			}
		}
		_ = c.Close(websocket.StatusNormalClosure, "")
	})
	dp.serve(srv, "SELECT * FROM s;")
	rows, err := openDB(t, srv).Query("SELECT * FROM s;")
	require.NoError(t, err)
	defer rows.Close()
	assert.Equal(t, []string{
		"v VARCHAR null=true len=true/32 ps=false/0,0 scan=sql.NullString",
		"d DECIMAL null=true len=false/0 ps=true/12,3 scan=sql.NullString",
		"ts TIMESTAMP_LTZ null=true len=false/0 ps=true/3,0 scan=sql.NullTime",
		"n BIGINT null=true len=false/0 ps=false/0,0 scan=sql.NullInt64",
		"nn BIGINT null=false len=false/0 ps=false/0,0 scan=int64",
		"x BIGINT null=false len=false/0 ps=false/0,0 scan=int64",
	}, columnTypes(t, rows))
	got := scanAll(t, rows)
	require.Len(t, got, 1)
	assert.Equal(t, []any{"abc", "1.500", time.Date(2023, 12, 30, 3, 37, 45, 0, time.UTC), nil, int64(8), int64(9)}, got[0])
	waitFor(t, dp.gone, "the socket to close")
}

const (
	fakeStatementID    = "5b0c29a4-0b4e-4a43-9d3b-2f1c2f7f0e11"
	fakeDataplaneToken = "dpt_fake-token"
)

// fakeDataplane is a hand-written dataplane WebSocket: it records the
// handshake headers and the auth frame, then runs handle.
type fakeDataplane struct {
	url     string
	headers chan http.Header // each handshake's header
	auths   chan string      // each auth frame, verbatim
	gone    chan struct{}    // closed when the first connection has ended
}

func newFakeDataplane(t *testing.T, refuse int, handle func(ctx context.Context, c *websocket.Conn)) *fakeDataplane {
	dp := &fakeDataplane{headers: make(chan http.Header, 8), auths: make(chan string, 8), gone: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var goneOnce sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
		dp.headers <- r.Header.Clone()
		if refuse != 0 {
			http.Error(w, "refused", refuse)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer goneOnce.Do(func() { close(dp.gone) })
		defer c.CloseNow()
		typ, b, err := c.Read(ctx)
		if err != nil || typ != websocket.MessageText {
			return
		}
		dp.auths <- string(b)
		handle(ctx, c)
	}))
	dp.url = ts.URL
	t.Cleanup(func() {
		cancel()
		ts.Close()
		wg.Wait()
	})
	return dp
}

// serve makes srv answer sql with a streaming dataplane request pointing at
// the fake dataplane.
func (dp *fakeDataplane) serve(srv *dstest.Server, sql string) {
	srv.On(sql)
	body, _ := json.Marshal(map[string]any{
		"sqlState": "00000", "statementID": fakeStatementID, "createdOn": 1,
		"metadata": map[string]any{
			"encoding": "json", "partitionInfo": nil, "columns": []any{},
			"dataplaneRequest": map[string]any{
				"token": fakeDataplaneToken, "uri": dp.url + "/v2/print/" + fakeStatementID,
				"statementID": fakeStatementID, "requestType": "streaming",
			},
		},
	})
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		if r.Statement != nil && r.Statement.Statement == sql {
			return &dstest.Fault{Replace: string(body)}
		}
		return nil
	})
}
