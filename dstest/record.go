package dstest

import (
	"net/http"
	"net/url"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// StatementRequest is the decoded `request` part of a submission: the
// statement text and the session context the client sent with it. String
// fields are empty when the client left them out.
type StatementRequest struct {
	Statement    string
	Organization string // a name or a UUID
	Role         string
	Database     string
	Schema       string
	Store        string
	ComputePool  string
	// Parameters is nil when the client sent none.
	Parameters *Parameters
}

// Parameters are the request parameters of a submission.
type Parameters struct {
	Timezone  string // IANA zone in which TIMESTAMP_LTZ values are rendered
	SessionID string // correlation id for the service's logs
}

// fromWireRequest converts a decoded request; nil stays nil.
func fromWireRequest(r *wire.StatementRequest) *StatementRequest {
	if r == nil {
		return nil
	}
	out := &StatementRequest{
		Statement:    r.Statement,
		Organization: r.Organization,
		Role:         r.Role,
		Database:     r.Database,
		Schema:       r.Schema,
		Store:        r.Store,
		ComputePool:  r.ComputePool,
	}
	if r.Parameters != nil {
		out.Parameters = &Parameters{Timezone: r.Parameters.Timezone, SessionID: r.Parameters.SessionID}
	}
	return out
}

// Request is the record of one HTTP request the server received.
type Request struct {
	Method string
	Path   string // e.g. "/v2/statements"
	Query  url.Values
	// Dataplane is true for a request to the dataplane (DataplaneURL), false
	// for one to the control plane (URL). Both use the base path /v2.
	Dataplane bool
	// StatementID is the statement id a request is about: the id in the
	// path of GET /statements/{id} (either plane) and of the WebSocket's
	// /print/{id}; for a POST to /statements, the id of the (first)
	// statement it created, set once the statement exists (so it is empty
	// in the record a Fault hook gets, and when no statement was created).
	StatementID string
	// Header is a copy of the request header. Authorization is kept as
	// sent, so a test can check which token the client used.
	Header http.Header
	// Statement is the decoded request of a POST to /statements; nil for
	// other requests and for bodies that could not be decoded.
	Statement *StatementRequest
	// Attachments are the attachments of a POST to /statements, in order.
	Attachments []Attachment
	// AuthFrame is the first WebSocket frame the client sent on a
	// streaming statement's dataplane WebSocket (the GET of the /print/
	// handshake), verbatim, e.g. {"type":"auth","accessToken":"…",
	// "sessionId":""}. It is empty for other requests, when no frame
	// arrived, and in the record passed to a Fault hook, which runs before
	// the handshake; it is set before Stream.ClientClosed is closed.
	AuthFrame string
}

// Attachment is one file uploaded with a submission.
type Attachment struct {
	Name string // the multipart filename, i.e. the name the SQL refers to
	Data []byte
}

// Fault describes how to mistreat one request; see Server.Fault. Set one
// behaviour. When several are set they apply in this order: Delay (then the
// rest), Hang, ResetAfter < 0, Status, and then, after the request was
// really processed, Replace, ResetAfter > 0, Truncate. A Fault holding only
// Header adds those headers to the real answer.
type Fault struct {
	// Status answers with this HTTP status and Body (sent verbatim; JSON
	// bodies get Content-Type application/json) instead of processing the
	// request: a failed POST creates no statement.
	Status int
	Body   string
	// Header is added to whatever answer is sent, e.g. Retry-After.
	Header http.Header
	// ResetAfter > 0 processes the request, then sends the real status
	// line, headers (with the real Content-Length) and only this many bytes
	// of the body before resetting the connection. ResetAfter < 0 resets the
	// connection without answering and without processing the request.
	// Note that net/http clients transparently retry an idempotent request
	// (GET) whose reused connection was reset before any answer: the retry
	// is a new request for the hook.
	ResetAfter int
	// Delay waits this long before going on (with the rest of the Fault or
	// a normal answer); it ends early when the client goes away.
	Delay time.Duration
	// Hang never answers; the request ends when the client gives up or the
	// server closes. The request is not processed.
	Hang bool
	// Truncate processes the request and sends the real answer cut after
	// this many body bytes (Truncate < 0: an empty body) without a
	// Content-Length, then closes the connection cleanly: the client sees a
	// short body, not a transport error.
	Truncate int
	// Replace processes the request and answers 200 with this body instead
	// of the real one.
	Replace string
}

// toServerFault converts a Fault for the protocol server.
func toServerFault(f *Fault) *server.Fault {
	if f == nil {
		return nil
	}
	return &server.Fault{
		Status:     f.Status,
		Body:       f.Body,
		Header:     f.Header,
		ResetAfter: f.ResetAfter,
		Delay:      f.Delay,
		Hang:       f.Hang,
		Truncate:   f.Truncate,
		Replace:    f.Replace,
	}
}

// fromServerRequest converts a request record of the protocol server.
func fromServerRequest(r *server.Request) Request {
	out := Request{
		Method:      r.Method,
		Path:        r.Path,
		Query:       r.Query,
		Dataplane:   r.Dataplane,
		StatementID: r.StatementID,
		Header:      r.Header,
		Statement:   fromWireRequest(r.Statement),
		AuthFrame:   r.AuthFrame,
	}
	if len(r.Attachments) > 0 {
		out.Attachments = make([]Attachment, len(r.Attachments))
		for i, a := range r.Attachments {
			out.Attachments[i] = Attachment{Name: a.Name, Data: a.Data}
		}
	}
	return out
}

// Requests returns every HTTP request received so far, in arrival order,
// including refused and faulted ones. Treat the records as read-only.
func (s *Server) Requests() []Request {
	recs := s.srv.Requests()
	out := make([]Request, len(recs))
	for i := range recs {
		out[i] = fromServerRequest(&recs[i])
	}
	return out
}

// Submissions returns the POST /statements requests received so far, in
// arrival order.
func (s *Server) Submissions() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Method == http.MethodPost && !r.Dataplane && r.Path == s.srv.Base()+"/statements" {
			out = append(out, r)
		}
	}
	return out
}

// Submitted reports how many times sql was POSTed: submissions whose
// statement text is exactly sql, plus statements of batch submissions that
// are exactly sql once split (see Server.On).
func (s *Server) Submitted(sql string) int {
	n := 0
	for _, r := range s.Submissions() {
		if r.Statement == nil {
			continue
		}
		if r.Statement.Statement == sql {
			n++
			continue
		}
		if pieces := server.SplitStatements(r.Statement.Statement); len(pieces) > 1 {
			for _, p := range pieces {
				if p == sql {
					n++
				}
			}
		}
	}
	return n
}

// ResetRequests forgets the recorded requests; the request numbers passed
// to the fault hook restart at 1.
func (s *Server) ResetRequests() { s.srv.ResetRequests() }

// Fault installs a hook called for every request before it is served, with
// the request's record and its 1-based number (counting every request since
// the start or the last ResetRequests). Returning nil serves the request
// normally; otherwise the returned Fault is applied. The hook runs on the
// server's goroutines and must be safe for concurrent use. Fault(nil)
// removes the hook.
func (s *Server) Fault(f func(r *Request, n int) *Fault) {
	if f == nil {
		s.srv.SetFault(nil)
		return
	}
	s.srv.SetFault(func(r *server.Request, n int) *server.Fault {
		rec := fromServerRequest(r)
		return toServerFault(f(&rec, n))
	})
}
