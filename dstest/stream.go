package dstest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// Errors returned by Stream.Push.
var (
	// ErrStreamClosed: the stream was ended with Close or Fail.
	ErrStreamClosed = errors.New("dstest: stream closed")
	// ErrClientGone: the client's connection has ended.
	ErrClientGone = errors.New("dstest: stream client gone")
	// ErrServerClosed: the server was closed.
	ErrServerClosed = errors.New("dstest: server closed")
)

// Stream scripts a streaming statement (an interactive SELECT on a stream,
// PRINT ENTITY): its answer hands out a dataplane WebSocket URI
// (ws://{dataplane host}/v2/print/{id}, see Server.DataplaneURL) and token,
// and rows flow over the WebSocket as the test pushes them. Get it with
// Statement.Stream.
//
// When a client connects and authenticates, the server sends the metadata
// frame (the script's Columns, with their Length, Precision, Scale and
// OmitNullable), then the script's Rows, then each pushed row, until the
// test calls Close (a normal close frame) or Fail (an error frame), the
// client closes the socket, or the server closes. A client whose auth
// frame is missing or whose token is wrong or expired gets an error frame
// with sqlCode 42501 instead of the metadata.
//
// A Stream is meant for one client connection. The first client is the
// first connection that completes the WebSocket handshake and sends (or
// fails to send) its first frame: Auth tells what it sent, ClientClosed
// when it has ended, and once it has ended Push fails with ErrClientGone.
// Script a fresh Stream per run (e.g. with Times(1)) for a test that runs
// the same streaming query twice. Methods are safe for concurrent use.
type Stream struct {
	rows      chan *push
	srvDone   <-chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	failure   *server.StreamError // set before closed is closed

	connOnce, goneOnce sync.Once
	connected, gone    chan struct{}
	written            atomic.Int64

	mu     sync.Mutex
	opened bool            // the first client has sent its first frame
	auth   *wire.AuthFrame // the first client's auth frame, if any
}

type push struct {
	row  []*string
	done chan error // buffered; receives the result of the write
}

// Stream makes the statement a streaming one and returns its Stream.
// Calling it again returns the same Stream.
func (st *Statement) Stream() *Stream {
	st.e.mu.Lock()
	defer st.e.mu.Unlock()
	if st.stream == nil {
		st.stream = &Stream{
			rows:      make(chan *push),
			srvDone:   st.e.done,
			closed:    make(chan struct{}),
			connected: make(chan struct{}),
			gone:      make(chan struct{}),
		}
	}
	return st.stream
}

// Push sends one row to the connected client and returns once the frame
// has been written. Cells convert as in Statement.Rows. A row pushed before
// a client connects waits for one, so push from another goroutine or after
// Connected is closed. Push returns ErrStreamClosed after Close or Fail,
// ErrClientGone once the client's connection has ended, ErrServerClosed
// once the server is closed.
func (s *Stream) Push(cells ...any) error {
	return s.PushContext(context.Background(), cells...)
}

// PushContext is Push that gives up with ctx.Err() when ctx ends first,
// also while the row is being written to a client that does not read (the
// row may then still reach the client).
func (s *Stream) PushContext(ctx context.Context, cells ...any) error {
	p := &push{row: toRow(cells), done: make(chan error, 1)}
	if err := s.ended(); err != nil {
		return err
	}
	select {
	case s.rows <- p:
		// The row is being written; if the client does not read, the
		// write blocks until it does or goes away. Give up on ctx then,
		// although the row may still reach the client later.
		select {
		case err := <-p.done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	case <-s.closed:
	case <-s.gone:
	case <-s.srvDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.ended()
}

// ended returns why rows can no longer be pushed, or nil.
func (s *Stream) ended() error {
	for _, c := range []struct {
		ch  <-chan struct{}
		err error
	}{{s.closed, ErrStreamClosed}, {s.srvDone, ErrServerClosed}, {s.gone, ErrClientGone}} {
		select {
		case <-c.ch:
			return c.err
		default:
		}
	}
	return nil
}

// Close ends the stream with a normal WebSocket close after the rows
// pushed so far; a client that connects later gets the metadata and the
// scripted Rows, then the close. Close and Fail are idempotent; the first
// call wins.
func (s *Stream) Close() { s.end(nil) }

// Fail ends the stream with an error frame {"type":"error","sqlCode":
// sqlCode,"message":message} followed by a close.
func (s *Stream) Fail(sqlCode, message string) {
	s.end(&server.StreamError{SQLCode: sqlCode, Message: message})
}

func (s *Stream) end(failure *server.StreamError) {
	s.closeOnce.Do(func() {
		s.failure = failure
		close(s.closed)
	})
}

// Connected is closed when a client has authenticated with a valid
// dataplane token and has been sent the metadata frame, i.e. once rows can
// flow. A client that fails authentication (a wrong or expired token, no
// auth frame) never closes it; ClientClosed tells when such a client is
// gone.
func (s *Stream) Connected() <-chan struct{} { return s.connected }

// ClientClosed is closed when the first client's connection has ended for
// whatever reason once the WebSocket handshake was done: the client closed
// the socket or went away, its authentication failed, the stream ended it
// (Close, Fail), or the server closed. It is closed after the server has
// finished with the connection (error and close frames written).
func (s *Stream) ClientClosed() <-chan struct{} { return s.gone }

// Auth returns what the first client sent in its auth frame, the first
// WebSocket frame {"type":"auth","accessToken":...,"sessionId":...}: the
// access token (the dataplane token, when the client behaves) and the
// session id ("" when the client sent none). ok is false until that frame
// has arrived, and stays false when the first client's first frame was not
// an auth frame. Auth is set before the token is checked, so it is also
// set for a client whose authentication fails. Request.AuthFrame holds
// every connection's first frame verbatim.
func (s *Stream) Auth() (accessToken, sessionID string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.auth == nil {
		return "", "", false
	}
	return s.auth.AccessToken, s.auth.SessionID, true
}

// Written returns how many data frames (scripted Rows and pushed rows, of
// every client) the server has written to the socket so far. A frame
// counts once the write has completed: when the client stops reading and
// the socket buffers fill up, Written stops growing, which shows
// backpressure.
func (s *Stream) Written() int { return int(s.written.Load()) }

// open registers a connection that has sent its first frame and returns
// what to do when it ends: close gone if it is the first client.
func (s *Stream) open(auth *wire.AuthFrame) func() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opened {
		return nil
	}
	s.opened = true
	if auth != nil {
		a := *auth
		s.auth = &a
	}
	return func() { s.goneOnce.Do(func() { close(s.gone) }) }
}

// streamRun serves one submission of a streaming script.
type streamRun struct {
	s       *Stream
	initial [][]*string
}

// ConnOpened implements server.ConnObserver.
func (r *streamRun) ConnOpened(auth *wire.AuthFrame) func() { return r.s.open(auth) }

// Serve implements server.Stream.
func (r *streamRun) Serve(ctx context.Context, send func(context.Context, []*string) error) error {
	s := r.s
	s.connOnce.Do(func() { close(s.connected) })
	write := func(row []*string) error {
		if err := send(ctx, row); err != nil {
			return err
		}
		s.written.Add(1)
		return nil
	}
	for _, row := range r.initial {
		if err := write(row); err != nil {
			return err
		}
	}
	for {
		select {
		case p := <-s.rows:
			err := write(p.row)
			if err != nil {
				p.done <- fmt.Errorf("%w: %v", ErrClientGone, err)
				return err
			}
			p.done <- nil
		case <-s.closed:
			if s.failure != nil {
				return s.failure
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
