package server

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Fault describes how to mistreat one request. Set one behaviour; when
// several are set they apply in this order: Delay (then the rest), Hang,
// ResetAfter < 0, Status, and then, after the request was really processed,
// Replace, ResetAfter > 0, Truncate. A Fault with nothing but Header set
// adds those headers to the real answer.
type Fault struct {
	// Status answers with this status, Body and Header instead of
	// processing the request.
	Status int
	Body   string
	// Header is added to whatever answer is sent (e.g. Retry-After).
	Header http.Header
	// ResetAfter > 0 processes the request, writes the real status line,
	// headers (with the real Content-Length) and this many bytes of the real
	// body, then resets the connection. ResetAfter < 0 resets the connection
	// before answering, without processing the request.
	ResetAfter int
	// Delay waits this long (or until the client goes away or the server
	// closes) before going on.
	Delay time.Duration
	// Hang never answers: the handler waits until the client goes away or
	// the server closes, without processing the request.
	Hang bool
	// Truncate processes the request and sends the real answer cut after
	// this many body bytes (Truncate < 0: no body), without Content-Length,
	// then closes the connection cleanly, so the client sees a normal end of
	// a short body.
	Truncate int
	// Replace processes the request and sends this body with status 200
	// instead of the real answer.
	Replace string
}

// FaultFunc decides, for each request, whether to inject a fault: r is the
// request's record (a copy the hook may keep) and n its 1-based number.
// Returning nil serves the request normally.
type FaultFunc func(r *Request, n int) *Fault

// SetFault installs the fault hook; nil removes it.
func (s *Server) SetFault(f FaultFunc) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// applyFault serves r according to f; serve runs the real handler.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, serve func(http.ResponseWriter)) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.ctx.Done():
			t.Stop()
			return
		}
	}
	switch {
	case f.Hang:
		select {
		case <-r.Context().Done():
		case <-s.ctx.Done():
		}
		return
	case f.ResetAfter < 0:
		reset(w, nil)
		return
	case f.Status != 0:
		addHeader(w.Header(), f.Header)
		w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", contentTypeOf(f.Body))
		}
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte(f.Body))
		return
	case f.Replace == "" && f.ResetAfter == 0 && f.Truncate == 0:
		addHeader(w.Header(), f.Header)
		serve(w)
		return
	}

	buf := newBufferedResponse()
	serve(buf)
	addHeader(buf.header, f.Header)
	switch {
	case f.Replace != "":
		h := w.Header()
		for k, v := range buf.header {
			h[k] = v
		}
		h.Set("Content-Type", contentTypeOf(f.Replace))
		h.Set("Content-Length", strconv.Itoa(len(f.Replace)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(f.Replace))
	case f.ResetAfter > 0:
		body := buf.body.Bytes()
		buf.header.Set("Content-Length", strconv.Itoa(len(body)))
		reset(w, func(bw *bufio.Writer) {
			writeHead(bw, buf.status, buf.header)
			_, _ = bw.Write(body[:min(f.ResetAfter, len(body))])
		})
	default: // Truncate
		body := buf.body.Bytes()
		n := max(0, min(f.Truncate, len(body)))
		buf.header.Del("Content-Length")
		buf.header.Set("Connection", "close")
		hijackAndClose(w, func(bw *bufio.Writer) {
			writeHead(bw, buf.status, buf.header)
			_, _ = bw.Write(body[:n])
		}, false)
	}
}

// reset hijacks the connection, writes what write writes (if anything) and
// resets the connection.
func reset(w http.ResponseWriter, write func(*bufio.Writer)) {
	hijackAndClose(w, write, true)
}

// hijackAndClose takes over the connection, writes raw bytes and closes it;
// rst sends a TCP reset instead of an orderly close when it can.
func hijackAndClose(w http.ResponseWriter, write func(*bufio.Writer), rst bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// Not hijackable (HTTP/2 or a test recorder): the best we can do
		// is to abort the handler, which makes net/http drop the stream.
		panic(http.ErrAbortHandler)
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if write != nil {
		write(rw.Writer)
		_ = rw.Flush()
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0)
	}
}

// writeHead writes an HTTP/1.1 status line and header block.
func writeHead(bw *bufio.Writer, status int, h http.Header) {
	if status == 0 {
		status = http.StatusOK
	}
	fmt.Fprintf(bw, "HTTP/1.1 %03d %s\r\n", status, http.StatusText(status))
	_ = h.Write(bw)
	_, _ = bw.WriteString("\r\n")
}

// addHeader adds every value of extra to h.
func addHeader(h, extra http.Header) {
	for k, vs := range extra {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
}

// bufferedResponse is an http.ResponseWriter that keeps the answer in
// memory so that a fault can mangle it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse {
	return &bufferedResponse{header: make(http.Header)}
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
