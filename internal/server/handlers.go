package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// submit serves POST {base}/statements.
func (s *Server) submit(w http.ResponseWriter, r *http.Request, c *call) {
	if c.tooBig {
		s.writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", s.maxBytes))
		return
	}
	if c.bodyErr != nil {
		s.writeError(w, http.StatusBadRequest, c.bodyErr.Error())
		return
	}
	now := s.clock.Now()
	stmts := SplitStatements(c.sub.Statement)
	if len(stmts) <= 1 {
		stmts = []string{c.sub.Statement}
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel) // Close ends running statements
	defer stop()
	outs := s.engine.Execute(ctx, &Submission{
		Request:     c.sub,
		Statements:  stmts,
		Attachments: c.atts,
		Header:      r.Header,
		Now:         now,
	})
	if len(outs) == 0 {
		s.writeError(w, http.StatusInternalServerError, "engine returned no outcome")
		return
	}
	for _, o := range outs {
		if o == nil {
			s.writeError(w, http.StatusInternalServerError, "engine returned a nil outcome")
			return
		}
		if o.HTTPStatus != 0 {
			writeRaw(w, o.HTTPStatus, o.HTTPBody)
			return
		}
	}
	var ids []string
	if len(outs) > 1 {
		ids = make([]string, len(outs))
		for i := range ids {
			ids[i] = uuid.NewString()
		}
	}
	sts := make([]*statement, len(outs))
	for i, o := range outs {
		id := uuid.NewString()
		if ids != nil {
			id = ids[i]
		}
		sts[i] = s.newStatement(o, id, ids, now)
	}
	s.mu.Lock()
	for _, st := range sts {
		s.addLocked(st, now)
	}
	s.acquireLocked(sts[0])
	gone := s.sweepLocked(now, true)
	s.mu.Unlock()
	releaseAll(gone)
	defer s.release(sts[0])
	s.annotate(c, func(rec *Request) { rec.StatementID = sts[0].id })
	s.answer(w, sts[0], true, false, 0)
}

// addLocked registers st, created at now; s.mu must be held.
func (s *Server) addLocked(st *statement, now time.Time) {
	s.statements[st.id] = st
	if st.dpToken != "" {
		s.tokens[st.dpToken] = st
	}
	s.trackLocked(st, now)
}

// getStatement serves GET {base}/statements/{id} and, with dp set, the
// dataplane GET {dp-base}/statements/{id}.
func (s *Server) getStatement(w http.ResponseWriter, r *http.Request, id string, dp bool) {
	var st *statement
	if dp {
		var ok bool
		if st, ok = s.dataplaneBearer(w, r, true); !ok {
			return
		}
		defer s.release(st)
		if st.id != id || st.kind != kindDataplane {
			s.writeError(w, http.StatusForbidden, "the dataplane token is not valid for statement "+id)
			return
		}
	} else {
		var raw *Outcome
		if st, raw = s.find(r.Context(), id); raw != nil {
			writeRaw(w, raw.HTTPStatus, raw.HTTPBody)
			return
		}
		if st == nil {
			s.writeError(w, http.StatusNotFound, "statement "+id+" not found: the service never handed out this statement id, or has forgotten it")
			return
		}
		defer s.release(st)
	}
	if status := st.takeFailure(); status != 0 {
		s.writeError(w, status, "injected failure")
		return
	}
	part := 0
	if v := r.URL.Query().Get("partitionID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			s.writeError(w, http.StatusBadRequest, "partitionID must be a non-negative integer, got "+strconv.Quote(v))
			return
		}
		part = n
	}
	s.answer(w, st, false, dp, part)
}

// lookup returns the statement with id, or nil; the caller must release
// a statement it returns.
func (s *Server) lookup(id string) *statement {
	now := s.clock.Now()
	s.mu.Lock()
	gone := s.sweepLocked(now, false)
	st := s.statements[id]
	if st != nil {
		s.acquireLocked(st)
	}
	s.mu.Unlock()
	releaseAll(gone)
	return st
}

// find returns the statement with id, asking the engine about an id the
// server does not know when it is a StatementFinder; nil when there is
// none. The caller must release a statement it returns. An Outcome found
// with an HTTPStatus is returned as raw instead, to be answered as it
// says without keeping a statement.
func (s *Server) find(ctx context.Context, id string) (st *statement, raw *Outcome) {
	if st := s.lookup(id); st != nil {
		return st, nil
	}
	finder, ok := s.engine.(StatementFinder)
	if !ok || id == "" {
		return nil, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	o := finder.FindStatement(ctx, id)
	switch {
	case o == nil:
		return nil, nil
	case o.HTTPStatus != 0:
		return nil, o
	}
	now := s.clock.Now()
	st = s.newStatement(o, id, nil, now)
	s.mu.Lock()
	if known := s.statements[id]; known != nil {
		s.acquireLocked(known)
		s.mu.Unlock()
		st.unref() // found twice at the same time: the first one stays
		return known, nil
	}
	s.addLocked(st, now)
	s.acquireLocked(st)
	gone := s.sweepLocked(now, true)
	s.mu.Unlock()
	releaseAll(gone)
	return st, nil
}

// answer writes the state of st: 202 while it runs, then its result with
// partition part. post selects the POST answer, dp the dataplane one.
func (s *Server) answer(w http.ResponseWriter, st *statement, post, dp bool, part int) {
	now := s.clock.Now()
	if !st.ready(now) {
		h := resultHead{sqlState: wire.StateRunning, statementID: st.id, createdOn: st.createdOn}
		if post {
			h.statementIDs = st.ids
		}
		b, _ := encodeResult(s.order, &h)
		writeJSON(w, http.StatusAccepted, b)
		return
	}
	a := &st.get
	switch {
	case dp:
		a = &st.data
	case post:
		a = &st.post
	}
	if st.kind != kindRows && !dp {
		st.mu.Lock()
		st.dpExpires = now.Add(s.dpTTL)
		st.mu.Unlock()
	}
	if a.post == nil {
		writeJSON(w, http.StatusOK, a.pre)
		return
	}
	if part >= st.partCount && !(part == 0 && st.partCount == 0) {
		s.writeError(w, http.StatusBadRequest, fmt.Sprintf("partitionID %d out of range: the result has %d partitions", part, st.partCount))
		return
	}
	data := emptyArray
	if part < st.partCount {
		var err error
		if data, err = st.partitionJSON(part); err != nil {
			s.writeError(w, http.StatusInternalServerError, "partition "+strconv.Itoa(part)+": "+err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, a.pre, data, a.post)
}

// dataplaneBearer finds the statement whose live dataplane token r carries;
// it answers 401/403 and returns false when there is none. With acquire
// set, the caller must release the statement.
func (s *Server) dataplaneBearer(w http.ResponseWriter, r *http.Request, acquire bool) (*statement, bool) {
	tok, ok := bearer(r)
	if !ok {
		s.writeError(w, http.StatusUnauthorized, "missing bearer token in the Authorization header")
		return nil, false
	}
	st := s.byDataplaneToken(tok, s.clock.Now(), acquire)
	if st == nil {
		s.writeError(w, http.StatusForbidden, "invalid or expired dataplane token")
		return nil, false
	}
	return st, true
}

// byDataplaneToken returns the statement whose unexpired dataplane token is
// tok, or nil. With acquire set, the caller must release the statement.
func (s *Server) byDataplaneToken(tok string, now time.Time, acquire bool) *statement {
	if !strings.HasPrefix(tok, "dpt_") {
		return nil
	}
	s.mu.Lock()
	gone := s.sweepLocked(now, false)
	found := s.tokens[tok]
	if found != nil && acquire {
		s.acquireLocked(found)
	}
	s.mu.Unlock()
	releaseAll(gone)
	if found == nil {
		return nil
	}
	found.mu.Lock()
	expired := now.After(found.dpExpires)
	found.mu.Unlock()
	if expired {
		if acquire {
			s.release(found)
		}
		return nil
	}
	return found
}

// download serves GET {base}/download/{kind}/{organizationID}/{name}.
func (s *Server) download(w http.ResponseWriter, rest string) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		s.writeError(w, http.StatusNotFound, "download path must be {kind}/{organizationID}/{name}")
		return
	}
	kind, org, name := parts[0], parts[1], parts[2]
	if kind != DownloadFunctionSource && kind != DownloadDescriptorSource {
		s.writeError(w, http.StatusBadRequest, "unknown resource type "+strconv.Quote(kind)+": use function_source or descriptor_source")
		return
	}
	var data []byte
	ok := false
	if s.downloads != nil {
		data, ok = s.downloads.Download(kind, org, name)
	}
	if !ok {
		s.writeError(w, http.StatusNotFound, kind+" "+strconv.Quote(name)+" not found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// versionBody is the answer to GET /version; its keys are in the same
// order in both KeyOrders.
var versionBody = []byte(`{"major":1,"minor":0,"patch":0}`)

// writeVersion answers GET /version.
func (s *Server) writeVersion(w http.ResponseWriter) {
	writeJSON(w, http.StatusOK, versionBody)
}

// writeJSON writes a JSON answer made of parts, with Content-Length.
func writeJSON(w http.ResponseWriter, status int, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(status)
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
}

// writeError writes a JSON error body with a fresh trace id.
func (s *Server) writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, encodeError(s.order, &wire.ErrorResponse{Message: msg, TraceID: uuid.NewString()}))
}

// writeRaw writes body verbatim with status.
func writeRaw(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", contentTypeOf(body))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// contentTypeOf guesses the Content-Type of a raw body.
func contentTypeOf(body string) string {
	if body != "" && json.Valid([]byte(body)) {
		return "application/json"
	}
	return "text/plain; charset=utf-8"
}
