package deltastream

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/coder/websocket"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// maxFrameBytes caps one WebSocket frame (one row); memory for a stream
// stays bounded by it whatever the server sends.
const maxFrameBytes = 16 << 20

// streamRows reads a continuous query: rows arrive one per WebSocket data
// frame from the dataplane, for as long as the query runs. A frame is read
// only when Next asks for a row, so a slow reader pushes back on the server
// through the WebSocket instead of buffering.
//
// Close may be called at any moment, from any goroutine, any number of
// times: it cancels a blocked Next and closes the socket at once.
type streamRows struct {
	c      *Conn
	ws     *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	id     string
	// secrets are masked in error frames: the dataplane token and the
	// DSN's token.
	secrets []string
	columnSet
	row wire.Row

	closeOnce sync.Once
	err       error // sticky, touched only by Next
}

var (
	_ driver.Rows                           = (*streamRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*streamRows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*streamRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*streamRows)(nil)
	_ driver.RowsColumnTypeLength           = (*streamRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*streamRows)(nil)
)

// openStream connects to the dataplane WebSocket of a streaming statement
// and returns once the metadata frame has arrived (or the error frame, or
// the end of ctx).
func (c *Conn) openStream(ctx context.Context, st *resultStream) (driver.Rows, error) {
	st.close()
	dp := st.rs.Metadata.DataplaneRequest
	id := st.rs.StatementID
	uri, err := websocketURL(c.connector.cfg, dp.URI)
	if err != nil {
		return nil, withStatement(id, "", err)
	}
	h := http.Header{}
	sessionID := c.connector.cfg.SessionID
	if sessionID != "" {
		h.Set(wire.SessionIDHeader, sessionID)
	}
	h.Set("User-Agent", c.client.ua)
	// The handshake and the metadata frame are bounded by requestTimeout,
	// as REST answers are; the rows that follow only by ctx.
	sentSecrets.add(dp.Token)
	sctx, stop := c.client.startTimeout(ctx)
	defer stop()
	ws, resp, err := websocket.Dial(sctx, uri, &websocket.DialOptions{HTTPClient: c.client.http, HTTPHeader: h})
	if err != nil {
		return nil, withStatement(id, "connecting to the dataplane", c.client.dialError(ctx, sctx, resp, err, dp.Token))
	}
	ws.SetReadLimit(maxFrameBytes)
	rctx, cancel := context.WithCancel(ctx)
	s := &streamRows{c: c, ws: ws, ctx: rctx, cancel: cancel, id: id, secrets: []string{dp.Token, c.connector.cfg.Token}}
	if err := s.start(sctx, dp.Token, sessionID); err != nil {
		s.Close()
		if ctx.Err() == nil && sctx.Err() != nil {
			err = withStatement(id, "dataplane", fmt.Errorf("no metadata frame within requestTimeout %v: %w", c.client.reqTO, errRequestTimeout))
		}
		return nil, err
	}
	return s, nil
}

// startTimeout bounds the start of a stream (handshake, metadata frame) by
// the request timeout.
func (c *client) startTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if c.reqTO <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.reqTO)
}

// dialError explains a failed WebSocket handshake: the end of ctx, the
// request timeout (sctx), a refused redirect, an HTTP answer other than
// 101, or a network failure.
func (c *client) dialError(ctx, sctx context.Context, resp *http.Response, err error, secret string) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case sctx.Err() != nil:
		return fmt.Errorf("no WebSocket handshake within requestTimeout %v: %w", c.reqTO, errRequestTimeout)
	case resp != nil && isRedirect(resp.StatusCode):
		return redirectError(resp, "the dataplane WebSocket handshake", secret)
	case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		return &Error{HTTPStatus: resp.StatusCode, Message: fmt.Sprintf("dataplane WebSocket handshake answered HTTP %d", resp.StatusCode)}
	}
	return scrubURLError(err)
}

// websocketURL maps https to wss and http to ws.
func websocketURL(cfg *Config, uri string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("dataplane uri %q is not a URL", uri)
	}
	if err := checkPlainText(cfg, u); err != nil {
		return "", err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	case "http":
		u.Scheme = "ws"
	case "ws", "wss":
	default:
		return "", fmt.Errorf("dataplane uri %q: unsupported scheme %q", uri, u.Scheme)
	}
	return u.String(), nil
}

// start authenticates and waits for the metadata frame, within sctx.
func (s *streamRows) start(sctx context.Context, token, sessionID string) error {
	auth, _ := json.Marshal(wire.AuthFrame{Type: wire.FrameAuth, AccessToken: token, SessionID: sessionID})
	if err := s.ws.Write(sctx, websocket.MessageText, auth); err != nil {
		return s.readError(err)
	}
	for {
		f, err := s.readFrame(sctx)
		if err != nil {
			if err == io.EOF {
				// Closed before metadata: an empty stream. Remember the
				// end: the socket is gone, Next must not read it again.
				s.err = io.EOF
				return nil
			}
			return err
		}
		switch f.Type {
		case wire.FrameMetadata:
			s.set(f.Columns, s.c.connector.loc)
			return nil
		case wire.FrameData:
			return withStatement(s.id, "", errors.New("dataplane sent data before metadata"))
		}
	}
}

// rawFrame is a server frame whose data is kept as JSON text, for
// wire.DecodeRow: the outer Data hides wire.Frame's.
type rawFrame struct {
	wire.Frame
	Data json.RawMessage `json:"data,omitempty"`
}

// readFrame reads the next frame; an error frame becomes an *Error and a
// normal close io.EOF.
func (s *streamRows) readFrame(ctx context.Context) (*rawFrame, error) {
	for {
		typ, b, err := s.ws.Read(ctx)
		if err != nil {
			return nil, s.readError(err)
		}
		if typ != websocket.MessageText && typ != websocket.MessageBinary {
			continue
		}
		if err := wire.CheckFrame(b); err != nil {
			return nil, withStatement(s.id, "dataplane", fmt.Errorf("malformed frame: %w", err))
		}
		var f rawFrame
		if err := json.Unmarshal(b, &f); err != nil {
			return nil, withStatement(s.id, "dataplane", fmt.Errorf("malformed frame: %w", err))
		}
		if f.Type == wire.FrameError {
			e := serverError(http.StatusOK, f.SQLCode, f.Message, "", "", s.secrets...)
			e.StatementID = s.id
			return nil, e
		}
		return &f, nil
	}
}

func (s *streamRows) readError(err error) error {
	if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
		return io.EOF
	}
	if ctxErr := s.ctx.Err(); ctxErr != nil {
		return withStatement(s.id, "", ctxErr)
	}
	if code := websocket.CloseStatus(err); code != -1 {
		return withStatement(s.id, "dataplane", fmt.Errorf("stream closed with status %d: %w", code, err))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return withStatement(s.id, "dataplane", fmt.Errorf("the connection ended without a close frame: %w", err))
	}
	return withStatement(s.id, "dataplane", err)
}

// Next implements driver.Rows. It blocks until the next row arrives. A
// normal close of the stream is io.EOF; an error frame is an *Error; the end
// of the query's ctx is ctx's error.
func (s *streamRows) Next(dest []driver.Value) error {
	if s.err != nil {
		return s.err
	}
	for {
		f, err := s.readFrame(s.ctx)
		if err != nil {
			s.err = err
			return err
		}
		if f.Type != wire.FrameData {
			continue
		}
		data := []byte(f.Data)
		if len(data) == 0 {
			data = []byte("[]") // a data frame without data: an empty row
		}
		if err := wire.DecodeRow(data, &s.row); err != nil {
			s.err = withStatement(s.id, "dataplane", fmt.Errorf("malformed frame: %w", err))
			return s.err
		}
		if err := s.checkCells(&s.row); err != nil {
			s.err = withStatement(s.id, "dataplane", fmt.Errorf("row %w", err))
			return s.err
		}
		if err := s.convert(&s.row, dest); err != nil {
			s.err = withStatement(s.id, "dataplane", err)
			return s.err
		}
		return nil
	}
}

// Close implements driver.Rows: it cancels a blocked Next and closes the
// socket without waiting for the server. It is safe at any moment, from any
// goroutine, and idempotent.
func (s *streamRows) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		_ = s.ws.CloseNow()
	})
	return nil
}
