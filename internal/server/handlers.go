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
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body exceeds %d bytes", s.maxBytes))
		return
	}
	if c.bodyErr != nil {
		writeError(w, http.StatusBadRequest, c.bodyErr.Error())
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
		writeError(w, http.StatusInternalServerError, "engine returned no outcome")
		return
	}
	for _, o := range outs {
		if o == nil {
			writeError(w, http.StatusInternalServerError, "engine returned a nil outcome")
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
		st, err := s.newStatement(r, o, id, ids, now)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "encoding the answer: "+err.Error())
			return
		}
		sts[i] = st
	}
	s.mu.Lock()
	for _, st := range sts {
		s.statements[st.id] = st
		if st.dpToken != "" {
			s.tokens[st.dpToken] = st
		}
	}
	s.mu.Unlock()
	s.answer(w, sts[0], true, false, 0)
}

// getStatement serves GET {base}/statements/{id} and, with dp set, the
// dataplane GET {dp-base}/statements/{id}.
func (s *Server) getStatement(w http.ResponseWriter, r *http.Request, id string, dp bool) {
	var st *statement
	if dp {
		var ok bool
		if st, ok = s.dataplaneBearer(w, r); !ok {
			return
		}
		if st.id != id || st.kind != kindDataplane {
			writeError(w, http.StatusForbidden, "the dataplane token is not valid for statement "+id)
			return
		}
	} else if st = s.lookup(id); st == nil {
		writeError(w, http.StatusNotFound, "statement "+id+" not found")
		return
	}
	if status := st.takeFailure(); status != 0 {
		writeError(w, status, "injected failure")
		return
	}
	part := 0
	if v := r.URL.Query().Get("partitionID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "partitionID must be a non-negative integer, got "+strconv.Quote(v))
			return
		}
		part = n
	}
	s.answer(w, st, false, dp, part)
}

// lookup returns the statement with id, or nil.
func (s *Server) lookup(id string) *statement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statements[id]
}

// answer writes the state of st: 202 while it runs, then its result with
// partition part. post selects the POST answer, dp the dataplane one.
func (s *Server) answer(w http.ResponseWriter, st *statement, post, dp bool, part int) {
	now := s.clock.Now()
	if !st.ready(now) {
		rs := wire.ResultSet{SQLState: wire.StateRunning, StatementID: st.id, CreatedOn: st.createdOn}
		if post {
			rs.StatementIDs = st.ids
		}
		b, _ := json.Marshal(rs) // cannot fail for this type
		writeJSON(w, http.StatusAccepted, b)
		return
	}
	body, withData := st.getBody, st.withData
	switch {
	case dp:
		body, withData = st.dataBody, true
	case post:
		body = st.postBody
	}
	if st.kind != kindRows && !dp {
		st.mu.Lock()
		st.dpExpires = now.Add(s.dpTTL)
		st.mu.Unlock()
	}
	if !withData {
		writeJSON(w, http.StatusOK, body)
		return
	}
	if part >= st.partCount && !(part == 0 && st.partCount == 0) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("partitionID %d out of range: the result has %d partitions", part, st.partCount))
		return
	}
	data := emptyArray
	if part < st.partCount {
		var err error
		if data, err = st.partitionJSON(part); err != nil {
			writeError(w, http.StatusInternalServerError, "partition "+strconv.Itoa(part)+": "+err.Error())
			return
		}
	}
	writeJSON(w, http.StatusOK, body, data, closingBrace)
}

var closingBrace = []byte("}")

// dataplaneBearer finds the statement whose live dataplane token r carries;
// it answers 401/403 and returns false when there is none.
func (s *Server) dataplaneBearer(w http.ResponseWriter, r *http.Request) (*statement, bool) {
	tok, ok := bearer(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "missing bearer token in the Authorization header")
		return nil, false
	}
	st := s.byDataplaneToken(tok, s.clock.Now())
	if st == nil {
		writeError(w, http.StatusForbidden, "invalid or expired dataplane token")
		return nil, false
	}
	return st, true
}

// byDataplaneToken returns the statement whose unexpired dataplane token is
// tok, or nil.
func (s *Server) byDataplaneToken(tok string, now time.Time) *statement {
	if !strings.HasPrefix(tok, "dpt_") {
		return nil
	}
	s.mu.Lock()
	found := s.tokens[tok]
	s.mu.Unlock()
	if found == nil {
		return nil
	}
	found.mu.Lock()
	defer found.mu.Unlock()
	if now.After(found.dpExpires) {
		return nil
	}
	return found
}

// download serves GET {base}/download/{kind}/{organizationID}/{name}.
func (s *Server) download(w http.ResponseWriter, rest string) {
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		writeError(w, http.StatusNotFound, "download path must be {kind}/{organizationID}/{name}")
		return
	}
	kind, org, name := parts[0], parts[1], parts[2]
	if kind != DownloadFunctionSource && kind != DownloadDescriptorSource {
		writeError(w, http.StatusBadRequest, "unknown resource type "+strconv.Quote(kind)+": use function_source or descriptor_source")
		return
	}
	var data []byte
	ok := false
	if s.downloads != nil {
		data, ok = s.downloads.Download(kind, org, name)
	}
	if !ok {
		writeError(w, http.StatusNotFound, kind+" "+strconv.Quote(name)+" not found")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// writeVersion answers GET /version.
func writeVersion(w http.ResponseWriter) {
	b, _ := json.Marshal(wire.Version{Major: 1}) // cannot fail for this type
	writeJSON(w, http.StatusOK, b)
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
func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(wire.ErrorResponse{Message: msg, TraceID: uuid.NewString()}) // cannot fail
	writeJSON(w, status, b)
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
