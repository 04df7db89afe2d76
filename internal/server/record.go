package server

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Request is the record of one HTTP request the server received.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	// Dataplane is true for requests to the dataplane handler, false for
	// the control plane.
	Dataplane bool
	// StatementID is the statement id in the path of a GET
	// .../statements/{id} or .../print/{id} (on either plane); for a POST
	// to the statements route it is the id of the (first) statement it
	// created, filled in once the statement exists (so it is empty in the
	// record passed to the fault hook), and stays empty when none was.
	StatementID string
	// Header is a copy of the request header, Authorization included, so
	// that tests can check which token was sent.
	Header http.Header
	// Statement is the decoded request of a POST to the statements route;
	// nil for other requests and for bodies that could not be decoded.
	Statement *wire.StatementRequest
	// Attachments are the attachments of a POST to the statements route.
	Attachments []Attachment
	// AuthFrame is the first WebSocket frame the client sent on a
	// dataplane WebSocket (the /print/ route), verbatim, whatever its
	// type; empty for other requests, when no frame arrived, and in the
	// record passed to the fault hook (which runs before the handshake).
	// It is filled in once the frame has been read.
	AuthFrame string
}

// call is a request whose body has been read (and, for a submission,
// decoded) before it is routed.
type call struct {
	rec     Request
	n       int // 1-based record number, see record
	epoch   int // s.epoch when recorded
	sub     *wire.StatementRequest
	atts    []Attachment
	bodyErr error // reading or decoding the body failed
	tooBig  bool
}

// readCall reads and decodes the body of r, a request to the dataplane
// when dp is set, and builds its record.
func (s *Server) readCall(w http.ResponseWriter, r *http.Request, dp bool) *call {
	c := &call{rec: Request{
		Method:    r.Method,
		Path:      r.URL.Path,
		Query:     r.URL.Query(),
		Dataplane: dp,
		Header:    r.Header.Clone(),
	}}
	c.rec.StatementID = s.pathStatementID(r.URL.Path, dp)
	if r.Method != http.MethodPost {
		return c
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		c.tooBig = errors.As(err, &mbe)
		c.bodyErr = err
		return c
	}
	if r.URL.Path != s.base+"/statements" {
		return c
	}
	c.sub, c.atts, c.bodyErr = decodeSubmission(r.Header.Get("Content-Type"), body)
	c.rec.Statement, c.rec.Attachments = c.sub, c.atts
	return c
}

// pathStatementID returns the statement id of a path
// {base}/statements/{id} or {dp-base}/print/{id}, or "".
func (s *Server) pathStatementID(path string, dp bool) string {
	base := s.base
	if dp {
		base = s.dpBase
	}
	rest, ok := strings.CutPrefix(path, base)
	if !ok {
		return ""
	}
	id, ok := strings.CutPrefix(rest, "/statements/")
	if !ok && dp {
		id, ok = strings.CutPrefix(rest, "/print/")
	}
	if !ok || strings.Contains(id, "/") {
		return ""
	}
	return id
}

// record appends the record of c and returns its 1-based number.
func (s *Server) record(c *call) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.discard {
		s.discarded++
		c.n, c.epoch = s.discarded, s.epoch
		return c.n
	}
	s.requests = append(s.requests, c.rec)
	c.n, c.epoch = len(s.requests), s.epoch
	s.notifyLocked()
	return c.n
}

// notifyLocked wakes the waiters of Recorded; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.recorded)
	s.recorded = make(chan struct{})
}

// Recorded returns a channel that is closed when the next request is
// recorded or a record changes (see Request.AuthFrame and
// Request.StatementID). To wait for a condition on Requests without
// missing a request, take the channel before checking the condition:
//
//	for {
//		ch := srv.Recorded()
//		if done(srv.Requests()) {
//			break
//		}
//		select { case <-ch: case <-ctx.Done(): return ctx.Err() }
//	}
func (s *Server) Recorded() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recorded
}

// annotate applies f to the stored record of c, unless the records have
// been reset since c was recorded.
func (s *Server) annotate(c *call, f func(r *Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.epoch == s.epoch && c.n > 0 && c.n <= len(s.requests) {
		f(&s.requests[c.n-1])
		s.notifyLocked()
	}
}

// Requests returns a copy of the records of every request received so far,
// in arrival order. The records share header maps and attachment bytes with
// the server: treat them as read-only.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests; request numbering passed to
// the fault hook restarts at 1.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.discarded = 0
	s.epoch++
	s.notifyLocked()
	s.mu.Unlock()
}
