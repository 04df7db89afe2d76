package dstest

import (
	"context"
	"net/http"
	"strings"
)

// OnID scripts the answer to GET /statements/{id} for a statement id this
// server never handed out: a statement submitted earlier, to another
// server or by another process, that a client now resumes by its id.
// Configure the answer with the Statement's methods as for On: Columns and
// Rows for a finished statement, Hold for one that is still running until
// the test releases it, Error for a failed one, Dataplane or Stream for
// rows on the dataplane, HTTPError for an HTTP failure of the GET.
//
// The server creates the statement at the first GET of id, with the
// script as it is then (RunTime counts from then), and answers later GETs
// from it. A statement the server handed out itself takes precedence, and
// calling OnID again for the same id replaces the script. A GET of an id
// that is neither known nor scripted answers 404 with a JSON error body
// {"message":"statement … not found …","traceID":"…"}: the API spec lists
// 404 for GET /statements/{id}, and no documented SQL state stands for an
// unknown statement.
func (s *Server) OnID(id string) *Statement {
	st := &Statement{e: s.eng, match: func(string) bool { return false }}
	s.eng.mu.Lock()
	s.eng.byID[id] = st
	s.eng.mu.Unlock()
	return st
}

// Polls returns the GET /statements/{id} requests received so far for
// statement id, in arrival order: status polls and partition fetches on
// the control plane, and result-set pages on the dataplane
// (Request.Dataplane tells which). A client waiting for a statement held
// by Hold shows each of its polls here.
func (s *Server) Polls(id string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if isPoll(&r, id) {
			out = append(out, r)
		}
	}
	return out
}

// WaitPolls waits until at least n GET requests for statement id (see
// Polls) have arrived since the start or the last ResetRequests, and
// returns them. When ctx ends first it returns the polls so far and
// ctx.Err(). Use it to act at a chosen point of a client's wait, e.g.
// release a Gate after the second poll.
func (s *Server) WaitPolls(ctx context.Context, id string, n int) ([]Request, error) {
	return s.WaitRequests(ctx, n, func(r *Request) bool { return isPoll(r, id) })
}

// WaitRequests waits until at least n of the requests received since the
// start or the last ResetRequests satisfy match, and returns those
// requests in arrival order. When ctx ends first it returns the matching
// requests so far and ctx.Err(). match runs on the calling goroutine. For
// example, to wait for the first submission and learn its statement id:
//
//	subs, err := srv.WaitRequests(ctx, 1, func(r *dstest.Request) bool {
//		return r.Method == "POST" && r.StatementID != ""
//	})
func (s *Server) WaitRequests(ctx context.Context, n int, match func(r *Request) bool) ([]Request, error) {
	for {
		changed := s.srv.Recorded() // before looking, so that no record is missed
		var got []Request
		for _, r := range s.Requests() {
			if match(&r) {
				got = append(got, r)
			}
		}
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// isPoll reports whether r is a GET of statement id.
func isPoll(r *Request, id string) bool {
	return r.Method == http.MethodGet && r.StatementID == id && strings.HasSuffix(r.Path, "/statements/"+id)
}

// Forget makes the server forget statement id, as the service eventually
// forgets old statements: GETs of id answer 404 from then on (or, if OnID
// scripts id, the script answers again), its dataplane token is refused
// and a new WebSocket to it gets 404; a stream already connected goes on.
// It reports whether the statement was known.
func (s *Server) Forget(id string) bool { return s.srv.Forget(id) }
