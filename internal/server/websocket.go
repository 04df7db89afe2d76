package server

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// authTimeout bounds the wait for the client's auth frame.
const authTimeout = 10 * time.Second

// serveWebSocket serves the dataplane WebSocket of streaming statement id:
// it waits for the auth frame, checks the dataplane token, sends the
// metadata frame and hands the connection to the statement's Stream. It
// records the auth frame on call's record and tells a Stream that is a
// ConnObserver about the connection.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request, id string, call *call) {
	st := s.lookup(id)
	if st == nil {
		s.writeError(w, http.StatusNotFound, "streaming statement "+id+" not found")
		return
	}
	defer s.release(st) // an open WebSocket keeps its statement
	if st.kind != kindStreaming {
		s.writeError(w, http.StatusNotFound, "streaming statement "+id+" not found")
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		// Clients of this API are programs, not browsers: accept any origin.
		InsecureSkipVerify: true,
	})
	if err != nil {
		return // Accept has answered the handshake with an error
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()

	typ, frame, rerr := readFirst(ctx, c)
	if rerr == nil {
		s.annotate(call, func(rec *Request) { rec.AuthFrame = string(frame) })
	}
	auth := decodeAuth(typ, frame, rerr)
	var ended func()
	if o, ok := st.out.Stream.(ConnObserver); ok {
		ended = o.ConnOpened(auth)
	}
	defer func() {
		_ = c.CloseNow()
		if ended != nil {
			ended()
		}
	}()

	if code, msg := s.authenticate(auth, rerr, st); code != "" {
		if ctx.Err() == nil {
			_ = s.writeFrame(ctx, c, nil, &wire.Frame{Type: wire.FrameError, Message: msg, SQLCode: code})
			_ = c.Close(websocket.StatusPolicyViolation, "authentication failed")
		}
		return
	}
	cols := st.out.StreamColumns
	if cols == nil {
		cols = st.out.Columns
	}
	if cols == nil {
		cols = []wire.Column{}
	}
	var buf []byte // the frame being written, reused for every row
	if err := s.writeFrame(ctx, c, &buf, &wire.Frame{Type: wire.FrameMetadata, Columns: cols}); err != nil {
		return
	}

	connCtx := c.CloseRead(ctx) // ends when the client closes or goes away
	send := func(ctx context.Context, row []*string) error {
		return s.writeFrame(ctx, c, &buf, &wire.Frame{Type: wire.FrameData, Data: row})
	}
	err = st.out.Stream.Serve(connCtx, send)
	if connCtx.Err() != nil {
		return // client gone or server closing: CloseNow
	}
	var se *StreamError
	if errors.As(err, &se) {
		if werr := s.writeFrame(ctx, c, &buf, &wire.Frame{Type: wire.FrameError, Message: se.Message, SQLCode: se.SQLCode}); werr != nil {
			return
		}
	} else if err != nil {
		_ = c.Close(websocket.StatusInternalError, "stream failed")
		return
	}
	s.closeGracefully(c)
}

// closeGracefully sends a normal close frame and waits for the client's
// answer, unless the server closes meanwhile.
func (s *Server) closeGracefully(c *websocket.Conn) {
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-s.ctx.Done():
			_ = c.CloseNow()
		case <-done:
		}
	}()
	_ = c.Close(websocket.StatusNormalClosure, "")
}

// readFirst reads the client's first frame, waiting at most authTimeout.
func readFirst(ctx context.Context, c *websocket.Conn) (websocket.MessageType, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, authTimeout)
	defer cancel()
	return c.Read(ctx)
}

// decodeAuth returns the auth frame of a first frame, or nil when it is
// not one.
func decodeAuth(typ websocket.MessageType, b []byte, err error) *wire.AuthFrame {
	var auth wire.AuthFrame
	if err != nil || typ != websocket.MessageText || json.Unmarshal(b, &auth) != nil || auth.Type != wire.FrameAuth {
		return nil
	}
	return &auth
}

// authenticate checks the auth frame (nil when the first frame was not
// one; readErr is the error reading it); it returns an SQL code and message
// when the client may not proceed.
func (s *Server) authenticate(auth *wire.AuthFrame, readErr error, st *statement) (code, msg string) {
	switch {
	case readErr != nil:
		return "42501", "no auth frame received"
	case auth == nil:
		return "42501", `the first frame must be a text frame {"type":"auth","accessToken":...}`
	case auth.AccessToken == "" || s.byDataplaneToken(auth.AccessToken, s.clock.Now(), false) != st:
		return "42501", "invalid or expired dataplane token"
	}
	return "", ""
}

// writeFrame writes one JSON frame in the server's key order, encoding it
// into *buf (reused across the frames of one connection) or, with a nil
// buf, into a fresh buffer.
func (s *Server) writeFrame(ctx context.Context, c *websocket.Conn, buf *[]byte, f *wire.Frame) error {
	var b []byte
	if buf != nil {
		b = (*buf)[:0]
	}
	b = appendFrame(b, s.order, f)
	if buf != nil {
		*buf = b
	}
	return c.Write(ctx, websocket.MessageText, b)
}
