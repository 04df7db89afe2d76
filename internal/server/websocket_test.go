package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// chanStream sends the rows received on rows; closing rows ends the stream
// (with fail, if set).
type chanStream struct {
	rows   chan []*string
	fail   *StreamError
	served chan struct{}
	ended  chan error
}

func newChanStream() *chanStream {
	return &chanStream{rows: make(chan []*string), served: make(chan struct{}), ended: make(chan error, 1)}
}

func (s *chanStream) Serve(ctx context.Context, send func(context.Context, []*string) error) error {
	close(s.served)
	for {
		select {
		case row, ok := <-s.rows:
			if !ok {
				if s.fail != nil {
					return s.fail
				}
				return nil
			}
			if err := send(ctx, row); err != nil {
				s.ended <- err
				return err
			}
		case <-ctx.Done():
			s.ended <- ctx.Err()
			return ctx.Err()
		}
	}
}

// dialStream submits a streaming statement and dials its WebSocket.
func dialStream(t *testing.T, h *harness) (*websocket.Conn, *wire.DataplaneRequest) {
	t.Helper()
	rs := h.submitSQL("SELECT * FROM s;").resultSet(t)
	require.NotNil(t, rs.Metadata)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	require.Equal(t, wire.RequestStreaming, dp.RequestType)
	require.Equal(t, "ws://"+strings.TrimPrefix(h.dp.URL, "http://")+"/v2/print/"+rs.StatementID, dp.URI)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, dp.URI, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.CloseNow() })
	return c, dp
}

func sendAuth(t *testing.T, c *websocket.Conn, token string) {
	t.Helper()
	b, err := json.Marshal(wire.AuthFrame{Type: wire.FrameAuth, AccessToken: token, SessionID: "sess"})
	require.NoError(t, err)
	require.NoError(t, c.Write(context.Background(), websocket.MessageText, b))
}

func readFrame(t *testing.T, c *websocket.Conn) (wire.Frame, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		return wire.Frame{}, err
	}
	var f wire.Frame
	require.NoError(t, json.Unmarshal(b, &f), "frame: %s", b)
	assert.JSONEq(t, `{}`, string(f.Headers))
	return f, nil
}

func TestWebSocketStreams(t *testing.T) {
	cols := []wire.Column{{Name: "userid", Type: "VARCHAR"}}
	tests := []struct {
		name     string
		fail     *StreamError
		wantCode websocket.StatusCode
	}{
		{"normal close", nil, websocket.StatusNormalClosure},
		{"error frame", &StreamError{SQLCode: "XX000", Message: "boom"}, websocket.StatusNormalClosure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newChanStream()
			st.fail = tt.fail
			h := newHarness(t, Config{Engine: answerAll(Outcome{Columns: cols, Stream: st})})
			c, dp := dialStream(t, h)
			sendAuth(t, c, dp.Token)
			f, err := readFrame(t, c)
			require.NoError(t, err)
			assert.Equal(t, wire.Frame{Type: wire.FrameMetadata, Headers: f.Headers, Columns: cols}, f)
			<-st.served
			st.rows <- rowsOf([]string{"User_1"})[0]
			st.rows <- []*string{nil}
			close(st.rows)
			f, err = readFrame(t, c)
			require.NoError(t, err)
			assert.Equal(t, [][]string{{"User_1"}}, cells([][]*string{f.Data}))
			f, err = readFrame(t, c)
			require.NoError(t, err)
			assert.Equal(t, []*string{nil}, f.Data)
			if tt.fail != nil {
				f, err = readFrame(t, c)
				require.NoError(t, err)
				assert.Equal(t, wire.FrameError, f.Type)
				assert.Equal(t, "XX000", f.SQLCode)
				assert.Equal(t, "boom", f.Message)
			}
			_, err = readFrame(t, c)
			assert.Equal(t, tt.wantCode, websocket.CloseStatus(err), "err: %v", err)
		})
	}
}

func TestWebSocketAuthFailures(t *testing.T) {
	tests := []struct {
		name  string
		typ   websocket.MessageType
		frame string
	}{
		{"wrong token", websocket.MessageText, `{"type":"auth","accessToken":"dpt_nope"}`},
		{"api token", websocket.MessageText, `{"type":"auth","accessToken":"` + testToken + `"}`},
		{"not json", websocket.MessageText, `hello`},
		{"wrong type", websocket.MessageText, `{"type":"data"}`},
		{"binary", websocket.MessageBinary, `{"type":"auth"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newChanStream()
			h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: st})})
			c, _ := dialStream(t, h)
			require.NoError(t, c.Write(context.Background(), tt.typ, []byte(tt.frame)))
			f, err := readFrame(t, c)
			require.NoError(t, err)
			assert.Equal(t, wire.FrameError, f.Type)
			assert.Equal(t, "42501", f.SQLCode)
			_, err = readFrame(t, c)
			assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err))
		})
	}
}

func TestWebSocketClientCloses(t *testing.T) {
	st := newChanStream()
	h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: st})})
	c, dp := dialStream(t, h)
	sendAuth(t, c, dp.Token)
	_, err := readFrame(t, c)
	require.NoError(t, err)
	<-st.served
	require.NoError(t, c.Close(websocket.StatusNormalClosure, "bye"))
	assert.Error(t, <-st.ended)
}

func TestWebSocketServerClose(t *testing.T) {
	st := newChanStream()
	h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: st})})
	c, dp := dialStream(t, h)
	sendAuth(t, c, dp.Token)
	_, err := readFrame(t, c)
	require.NoError(t, err)
	<-st.served
	h.close()
	assert.Error(t, <-st.ended)
	_, err = readFrame(t, c)
	assert.Error(t, err)
}

func TestWebSocketHandshakeErrors(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{Dataplane: true})})
	rs := h.submitSQL("SELECT 1;").resultSet(t)
	tests := []struct{ name, id string }{
		{"unknown statement", "nope"},
		{"not streaming", rs.StatementID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := websocket.Dial(context.Background(), "ws://"+strings.TrimPrefix(h.dp.URL, "http://")+"/v2/print/"+tt.id, nil)
			require.Error(t, err)
			require.NotNil(t, resp)
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		})
	}
}
