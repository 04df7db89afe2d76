package deltastream_test

import (
	"context"
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

// Streaming statements up to the metadata frame: the WebSocket handshake,
// the auth frame, failures before the metadata, and what the metadata frame
// tells about the columns. See stream_test.go for an overview.

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
		st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
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
		waitFor(t, st.ClientClosed(), "the socket to close")
		assert.False(t, isClosed(st.Connected()), "the client never authenticated")
		_, _, ok := st.Auth()
		assert.True(t, ok, "the driver sent its auth frame")
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
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			st := srv.On("PRINT ENTITY pv;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			rows, err := openDB(t, srv, tt.params...).QueryContext(context.Background(), "PRINT ENTITY pv;")
			require.NoError(t, err) // dstest accepted the dataplane token
			require.NoError(t, rows.Close())
			waitFor(t, st.ClientClosed(), "the socket to close")

			token, sessionID, ok := st.Auth()
			require.True(t, ok, "the driver sent an auth frame")
			assert.Equal(t, tt.sessionID, sessionID)
			assert.NotEqual(t, srv.Token(), token, "the API token must not travel to the dataplane")
			var ws []dstest.Request
			for _, r := range srv.Requests() {
				if strings.Contains(r.Path, "/print/") {
					ws = append(ws, r)
				}
			}
			require.Len(t, ws, 1)
			assert.JSONEq(t, fmt.Sprintf(`{"type":"auth","accessToken":%q,"sessionId":%q}`, token, tt.sessionID), ws[0].AuthFrame)
			vals, sent := ws[0].Header["Ds-Session-Id"]
			assert.Equal(t, tt.sessionID != "", sent)
			if sent {
				assert.Equal(t, []string{tt.sessionID}, vals)
			}
			assert.Empty(t, ws[0].Header.Get("Authorization"), "the API token must not travel to the dataplane")
		})
	}
}

func TestStreamMetadataFrameParameters(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(
		dstest.Col("v", "VARCHAR").WithLength(32).WithoutNullable(),
		dstest.Col("d", "DECIMAL").WithPrecision(12).WithScale(3).WithoutNullable(),
		dstest.Col("ts", "TIMESTAMP_LTZ").WithPrecision(3).WithoutNullable(),
		dstest.Col("n", "BIGINT").WithoutNullable(),
		dstest.NotNullCol("nn", "BIGINT"),
		dstest.Col("x", "BIGINT NOT NULL").WithoutNullable(),
	).Rows([]any{"abc", "1.500", "2023-12-30 03:37:45Z", nil, "8", "9"}).Stream()
	st.Close()
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
	waitFor(t, st.ClientClosed(), "the socket to close")
}

const (
	fakeStatementID    = "5b0c29a4-0b4e-4a43-9d3b-2f1c2f7f0e11"
	fakeDataplaneToken = "dpt_fake-token"
)

// fakeDataplane is a hand-written dataplane WebSocket for what a
// well-behaved server (dstest) never does: frames out of order, malformed
// frames, an error instead of the metadata, a refused handshake, a close or
// a silence before the metadata. It records the auth frame, then runs
// handle.
type fakeDataplane struct {
	url   string
	auths chan string   // each auth frame, verbatim
	gone  chan struct{} // closed when the first connection has ended
}

func newFakeDataplane(t *testing.T, refuse int, handle func(ctx context.Context, c *websocket.Conn)) *fakeDataplane {
	dp := &fakeDataplane{auths: make(chan string, 8), gone: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var goneOnce sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wg.Add(1)
		defer wg.Done()
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
