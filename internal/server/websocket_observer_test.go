package server

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// observedStream is a chanStream that is also a ConnObserver.
type observedStream struct {
	*chanStream
	opened chan *wire.AuthFrame // each ConnOpened's auth
	ended  chan struct{}        // closed by the first connection's end
	calls  atomic.Int32         // calls of the returned functions
}

func newObservedStream() *observedStream {
	return &observedStream{chanStream: newChanStream(), opened: make(chan *wire.AuthFrame, 4), ended: make(chan struct{})}
}

func (s *observedStream) ConnOpened(auth *wire.AuthFrame) func() {
	s.opened <- auth
	return func() {
		if s.calls.Add(1) == 1 {
			close(s.ended)
		}
	}
}

// within fails the test unless ch is closed within 10 seconds.
func within(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// printRequests returns the records of the WebSocket handshakes.
func printRequests(h *harness) []Request {
	var out []Request
	for _, r := range h.srv.Requests() {
		if strings.Contains(r.Path, "/print/") {
			out = append(out, r)
		}
	}
	return out
}

func TestWebSocketConnObserver(t *testing.T) {
	tests := []struct {
		name     string
		frame    string // first frame; "" sends none and closes
		wantAuth bool   // ConnOpened gets a decoded auth frame
		served   bool   // authentication succeeds
	}{
		{name: "authenticated", frame: "valid", wantAuth: true, served: true},
		{name: "wrong token", frame: `{"type":"auth","accessToken":"dpt_nope","sessionId":"s1"}`, wantAuth: true},
		{name: "not an auth frame", frame: `hello`},
		{name: "no frame"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newObservedStream()
			h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: st})})
			c, dp := dialStream(t, h)
			frame := tt.frame
			if frame == "valid" {
				b, err := json.Marshal(wire.AuthFrame{Type: wire.FrameAuth, AccessToken: dp.Token, SessionID: "sess"})
				require.NoError(t, err)
				frame = string(b)
			}
			if frame == "" {
				require.NoError(t, c.CloseNow())
			} else {
				require.NoError(t, c.Write(context.Background(), websocket.MessageText, []byte(frame)))
			}

			var auth *wire.AuthFrame
			select {
			case auth = <-st.opened:
			case <-time.After(10 * time.Second):
				t.Fatal("ConnOpened was not called")
			}
			if tt.wantAuth {
				var want wire.AuthFrame
				require.NoError(t, json.Unmarshal([]byte(frame), &want))
				assert.Equal(t, &want, auth)
			} else {
				assert.Nil(t, auth)
			}
			reqs := printRequests(h)
			require.Len(t, reqs, 1)
			assert.Equal(t, frame, reqs[0].AuthFrame, "the first frame is recorded verbatim before ConnOpened")

			if tt.served {
				f, err := readFrame(t, c)
				require.NoError(t, err)
				assert.Equal(t, wire.FrameMetadata, f.Type)
				within(t, st.served, "Serve")
				select {
				case <-st.ended:
					t.Fatal("the connection ended while it was served")
				default:
				}
				require.NoError(t, c.CloseNow())
			} else if frame != "" {
				f, err := readFrame(t, c)
				require.NoError(t, err)
				assert.Equal(t, wire.FrameError, f.Type)
				_, err = readFrame(t, c) // answers the close
				assert.Equal(t, websocket.StatusPolicyViolation, websocket.CloseStatus(err))
			}
			within(t, st.ended, "the end of the connection")
			if tt.served {
				select {
				case err := <-st.chanStream.ended:
					assert.Error(t, err, "Serve returned before the end was reported")
				default:
					t.Fatal("the end was reported before Serve returned")
				}
			} else {
				select {
				case <-st.served:
					t.Fatal("Serve was called for a client that failed authentication")
				default:
				}
			}
			h.close()
			assert.Equal(t, int32(1), st.calls.Load(), "the end is reported exactly once")
		})
	}
}

// A reset of the records between the handshake and the auth frame leaves
// the newer records alone.
func TestWebSocketAuthFrameAfterReset(t *testing.T) {
	st := newObservedStream()
	h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: st})})
	c, dp := dialStream(t, h)
	h.srv.ResetRequests()
	h.get("/v2/version")
	sendAuth(t, c, dp.Token)
	<-st.opened
	reqs := h.srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v2/version", reqs[0].Path)
	assert.Empty(t, reqs[0].AuthFrame)
}

func TestWebSocketStreamColumns(t *testing.T) {
	yes, no := true, false
	twelve, three := int64(12), int64(3)
	rest := []wire.Column{{Name: "d", Type: "DECIMAL", Nullable: &no, DisplayHint: "money"}, {Name: "v", Type: "VARCHAR", Nullable: &yes}}
	frame := []wire.Column{{Name: "d", Type: "DECIMAL", Nullable: &no, Precision: &twelve, Scale: &three}, {Name: "v", Type: "VARCHAR"}}
	tests := []struct {
		name          string
		streamColumns []wire.Column
		want          []wire.Column
	}{
		{name: "StreamColumns set", streamColumns: frame, want: frame},
		{name: "StreamColumns nil", want: rest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newChanStream()
			h := newHarness(t, Config{Engine: answerAll(Outcome{Columns: rest, StreamColumns: tt.streamColumns, Stream: st})})
			c, dp := dialStream(t, h)
			g := h.get("/v2/statements/" + dp.StatementID)
			assert.Nil(t, g.resultSet(t).Metadata.Columns)
			assert.Contains(t, string(g.body), `"columns":null`, "as the service sends it: the columns come with the metadata frame")
			sendAuth(t, c, dp.Token)
			f, err := readFrame(t, c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.Columns)
		})
	}
}
