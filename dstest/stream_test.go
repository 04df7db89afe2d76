package dstest_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// openStream submits sql and connects to its WebSocket with the token.
func openStream(t *testing.T, srv *dstest.Server, sql string) *websocket.Conn {
	t.Helper()
	rs := newClient(t, srv).sql(sql).rs(t)
	require.NotNil(t, rs.Metadata)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	require.Equal(t, "streaming", dp.RequestType)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, dp.URI, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	auth, err := json.Marshal(wire.AuthFrame{Type: "auth", AccessToken: dp.Token})
	require.NoError(t, err)
	require.NoError(t, c.Write(ctx, websocket.MessageText, auth))
	return c
}

// next reads one frame; err is the read error (e.g. the close).
func next(t *testing.T, c *websocket.Conn) (wire.Frame, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		return wire.Frame{}, err
	}
	var f wire.Frame
	require.NoError(t, json.Unmarshal(b, &f))
	return f, nil
}

func TestStreamPushAndClose(t *testing.T) {
	tests := []struct {
		name string
		end  func(s *dstest.Stream)
		want *wire.Frame // final frame before the close, if any
	}{
		{"close", func(s *dstest.Stream) { s.Close() }, nil},
		{"fail", func(s *dstest.Stream) { s.Fail("XX000", "query failed") },
			&wire.Frame{Type: "error", Headers: json.RawMessage(`{}`), Message: "query failed", SQLCode: "XX000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			script := srv.On("SELECT * FROM pageviews;").
				Columns(dstest.Col("userid", "VARCHAR"), dstest.Col("n", "BIGINT")).
				Rows([]any{"scripted", 0})
			st := script.Stream()
			assert.Same(t, st, script.Stream())
			c := openStream(t, srv, "SELECT * FROM pageviews;")

			f, err := next(t, c)
			require.NoError(t, err)
			assert.Equal(t, "metadata", f.Type)
			require.Len(t, f.Columns, 2)
			assert.Equal(t, "userid", f.Columns[0].Name)
			<-st.Connected()

			f, err = next(t, c)
			require.NoError(t, err)
			assert.Equal(t, [][]string{{"scripted", "0"}}, rows([][]*string{f.Data}))

			pushed := make(chan error, 1)
			go func() { pushed <- st.Push("User_1", nil) }()
			f, err = next(t, c)
			require.NoError(t, err)
			assert.Equal(t, "data", f.Type)
			assert.Equal(t, [][]string{{"User_1", "<null>"}}, rows([][]*string{f.Data}))
			require.NoError(t, <-pushed)

			tt.end(st)
			if tt.want != nil {
				f, err = next(t, c)
				require.NoError(t, err)
				assert.Equal(t, *tt.want, f)
			}
			_, err = next(t, c)
			assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "err: %v", err)
			<-st.ClientClosed()
			assert.ErrorIs(t, st.Push("late"), dstest.ErrStreamClosed)
		})
	}
}

func TestStreamClientCloses(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("PRINT ENTITY s;").Columns(dstest.Col("v", "VARCHAR")).Stream()
	c := openStream(t, srv, "PRINT ENTITY s;")
	_, err := next(t, c)
	require.NoError(t, err)
	<-st.Connected()
	require.NoError(t, c.Close(websocket.StatusNormalClosure, ""))
	<-st.ClientClosed()
	assert.ErrorIs(t, st.Push("x"), dstest.ErrClientGone)
}

func TestStreamPushBeforeConnect(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Stream()
	pushed := make(chan error, 1)
	go func() { pushed <- st.Push("early") }()
	c := openStream(t, srv, "SELECT * FROM s;")
	_, err := next(t, c) // metadata
	require.NoError(t, err)
	f, err := next(t, c)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"early"}}, rows([][]*string{f.Data}))
	require.NoError(t, <-pushed)
}

func TestStreamPushContext(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Stream()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, st.PushContext(ctx, "x"), context.Canceled)
}

func TestStreamServerClose(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT * FROM s;").Stream()
	c := openStream(t, srv, "SELECT * FROM s;")
	_, err := next(t, c)
	require.NoError(t, err)
	<-st.Connected()

	// A push waiting for a second stream's client is released by Close.
	waiting := srv.On("WAIT;").Stream()
	pushed := make(chan error, 1)
	go func() { pushed <- waiting.Push("never") }()

	srv.Close()
	<-st.ClientClosed()
	_, err = next(t, c)
	assert.Error(t, err)
	assert.True(t, errors.Is(<-pushed, dstest.ErrServerClosed))
	assert.ErrorIs(t, st.Push("x"), dstest.ErrServerClosed)
}
