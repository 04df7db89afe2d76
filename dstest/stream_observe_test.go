package dstest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// dialStream submits sql and dials its WebSocket without authenticating.
func dialStream(t *testing.T, srv *dstest.Server, sql string) (*websocket.Conn, *wire.DataplaneRequest) {
	t.Helper()
	rs := newClient(t, srv).sql(sql).rs(t)
	require.NotNil(t, rs.Metadata)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, dp.URI, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c, dp
}

// closedWithin fails the test unless ch is closed within 10 seconds.
func closedWithin(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
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

// printRecords returns the records of the WebSocket handshakes.
func printRecords(srv *dstest.Server) []dstest.Request {
	var out []dstest.Request
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, "/print/") {
			out = append(out, r)
		}
	}
	return out
}

func TestStreamAuth(t *testing.T) {
	tests := []struct {
		name      string
		sessionID string
	}{
		{name: "with session id", sessionID: "sess-42"},
		{name: "without session id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			st := srv.On("PRINT ENTITY pv;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			c, dp := dialStream(t, srv, "PRINT ENTITY pv;")
			_, _, ok := st.Auth()
			assert.False(t, ok, "no auth frame yet")

			frame := fmt.Sprintf(`{"type":"auth","accessToken":%q,"sessionId":%q}`, dp.Token, tt.sessionID)
			require.NoError(t, c.Write(context.Background(), websocket.MessageText, []byte(frame)))
			closedWithin(t, st.Connected(), "the client to authenticate")
			tok, sid, ok := st.Auth()
			require.True(t, ok)
			assert.Equal(t, dp.Token, tok)
			assert.Equal(t, tt.sessionID, sid)
			reqs := printRecords(srv)
			require.Len(t, reqs, 1)
			assert.Equal(t, frame, reqs[0].AuthFrame, "the frame is recorded verbatim")

			require.NoError(t, c.CloseNow())
			closedWithin(t, st.ClientClosed(), "the client to go")
		})
	}
}

// ClientClosed also closes for a first client that never authenticates;
// Connected stays open then.
func TestStreamClientClosedWithoutAuthentication(t *testing.T) {
	tests := []struct {
		name     string
		frame    func(token string) string // "" sends no frame and closes
		expire   bool                      // the token expires before the frame
		wantAuth bool
	}{
		{name: "expired token", expire: true, wantAuth: true,
			frame: func(tok string) string { return `{"type":"auth","accessToken":"` + tok + `","sessionId":""}` }},
		{name: "wrong token", wantAuth: true,
			frame: func(string) string { return `{"type":"auth","accessToken":"dpt_nope","sessionId":""}` }},
		{name: "not an auth frame", frame: func(string) string { return `{"type":"data"}` }},
		{name: "no frame", frame: func(string) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &manualClock{now: time.Unix(1700000000, 0)}
			srv := dstest.NewServer(t, dstest.WithClock(clock))
			st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
			c, dp := dialStream(t, srv, "SELECT * FROM s;")
			if tt.expire {
				clock.Advance(time.Hour)
			}
			frame := tt.frame(dp.Token)
			if frame == "" {
				require.NoError(t, c.CloseNow())
			} else {
				require.NoError(t, c.Write(context.Background(), websocket.MessageText, []byte(frame)))
				f, err := next(t, c)
				require.NoError(t, err)
				assert.Equal(t, "error", f.Type)
				assert.Equal(t, "42501", f.SQLCode)
				_, err = next(t, c)
				assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err), "err: %v", err)
			}

			closedWithin(t, st.ClientClosed(), "ClientClosed")
			assert.False(t, isClosed(st.Connected()), "Connected means authenticated")
			assert.ErrorIs(t, st.Push("x"), dstest.ErrClientGone)
			_, _, ok := st.Auth()
			assert.Equal(t, tt.wantAuth, ok)
			assert.Equal(t, frame, printRecords(srv)[0].AuthFrame)
		})
	}
}

func TestStreamMetadataColumns(t *testing.T) {
	srv := dstest.NewServer(t, dstest.WithKeyOrder(dstest.LegacyOrder))
	cols := []dstest.Column{
		dstest.Col("v", "VARCHAR").WithLength(32),
		dstest.Col("d", "DECIMAL").WithPrecision(12).WithScale(3),
		dstest.Col("ts", "TIMESTAMP_LTZ").WithPrecision(3),
		dstest.Col("n", "BIGINT").WithoutNullable(),
		dstest.NotNullCol("nn", "BIGINT"),
		{Name: "h", Type: "VARCHAR", Nullable: true, DisplayHint: "url"},
	}
	srv.On("SELECT * FROM s;").Columns(cols...).Stream().Close()
	srv.On("SELECT * FROM t;").Columns(cols...)

	c, dp := dialStream(t, srv, "SELECT * FROM s;")
	require.NoError(t, c.Write(context.Background(), websocket.MessageText,
		[]byte(`{"type":"auth","accessToken":"`+dp.Token+`","sessionId":""}`)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, `{"type":"metadata","headers":{},"columns":[`+
		`{"name":"v","type":"VARCHAR","nullable":true,"length":32},`+
		`{"name":"d","type":"DECIMAL","nullable":true,"precision":12,"scale":3},`+
		`{"name":"ts","type":"TIMESTAMP_LTZ","nullable":true,"precision":3},`+
		`{"name":"n","type":"BIGINT"},`+
		`{"name":"nn","type":"BIGINT","nullable":false},`+
		`{"name":"h","type":"VARCHAR","nullable":true}]}`, string(b), "in legacy order")

	columnsOf := func(a answer) string {
		var rs struct {
			Metadata struct {
				Columns json.RawMessage `json:"columns"`
			} `json:"metadata"`
		}
		require.NoError(t, json.Unmarshal(a.body, &rs), "body: %s", a.body)
		return string(rs.Metadata.Columns)
	}
	// The REST answers of a streaming statement carry no columns, as the
	// service's do.
	assert.Equal(t, "null", columnsOf(newClient(t, srv).get("/statements/"+dp.StatementID)))
	// Other REST answers carry name, type, nullable and display_hint only.
	assert.Equal(t, `[`+
		`{"name":"v","type":"VARCHAR","nullable":true},`+
		`{"name":"d","type":"DECIMAL","nullable":true},`+
		`{"name":"ts","type":"TIMESTAMP_LTZ","nullable":true},`+
		`{"name":"n","type":"BIGINT","nullable":true},`+
		`{"name":"nn","type":"BIGINT","nullable":false},`+
		`{"name":"h","type":"VARCHAR","nullable":true,"display_hint":"url"}]`, columnsOf(newClient(t, srv).sql("SELECT * FROM t;")))
}

func TestColumnWithMethodsCopy(t *testing.T) {
	base := dstest.Col("v", "VARCHAR")
	c := base.WithLength(1).WithPrecision(2).WithScale(3).WithoutNullable()
	assert.Equal(t, dstest.Col("v", "VARCHAR"), base, "the original is unchanged")
	require.NotNil(t, c.Length)
	require.NotNil(t, c.Precision)
	require.NotNil(t, c.Scale)
	assert.Equal(t, []int64{1, 2, 3}, []int64{*c.Length, *c.Precision, *c.Scale})
	assert.True(t, c.OmitNullable)
	assert.True(t, c.Nullable)
}

func TestStreamWritten(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Rows([]any{"a"}, []any{"b"}).Stream()
	assert.Zero(t, st.Written())
	c := openStream(t, srv, "SELECT * FROM s;")
	for range 3 { // metadata, a, b
		_, err := next(t, c)
		require.NoError(t, err)
	}
	require.NoError(t, st.Push("c"))
	assert.Equal(t, 3, st.Written(), "scripted rows and pushed rows; not the metadata")
	f, err := next(t, c)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"c"}}, rows([][]*string{f.Data}))
}

// A client that does not read makes the server's writes stall: Written
// stops growing while a Push waits.
func TestStreamWrittenStallsWithoutReader(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	c := openStream(t, srv, "SELECT * FROM s;")
	_, err := next(t, c) // metadata; then nothing is read
	require.NoError(t, err)
	closedWithin(t, st.Connected(), "the client")
	big := strings.Repeat("x", 1<<20)
	const max = 256 // 256 MiB: far more than socket buffers hold
	for i := 0; i < max; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := st.PushContext(ctx, big)
		cancel()
		if err != nil {
			require.ErrorIs(t, err, context.DeadlineExceeded)
			n := st.Written()
			// The stalled row counts only if its write completed after
			// the deadline.
			assert.LessOrEqual(t, n, i+1)
			assert.Less(t, n, max/4)
			t.Logf("stalled after %d rows of 1 MiB", n)
			return
		}
	}
	t.Fatalf("the server wrote %d MiB to a client that reads nothing", max)
}
