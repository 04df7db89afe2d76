// Package server is the DeltaStream v2 protocol server shared by dstest and
// the emulator: an http.Handler that implements the control-plane REST API
// (submit, poll, partitions, version, downloads), the dataplane result-set
// route and the dataplane WebSocket for streaming statements, as described
// in WIRE.md. What each statement answers is decided by an Engine; the
// server owns the bookkeeping around it: statement ids, createdOn, 202 until
// a statement is ready, partitions, dataplane tokens, request recording and
// fault injection.
//
// Routes, with the default bases "/v2" and "/dp/v2":
//
//	POST /v2/statements                     submit (multipart or JSON)
//	GET  /v2/statements/{id}?partitionID=N  status, then partition N
//	GET  /v2/version                        {"major":1,"minor":0,"patch":0}
//	GET  /v2/download/{kind}/{org}/{name}   an uploaded source
//	GET  /dp/v2/statements/{id}?partitionID=N  dataplane result set (dataplane token)
//	GET  /dp/v2/print/{id}                  dataplane WebSocket (auth frame)
//	GET  /dp/v2/version                     version (dataplane token)
//
// Every control-plane call needs "Authorization: Bearer <token>": a missing
// header answers 401, a wrong token 403, both with a JSON error body.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Clock tells the server the time. It decides when a statement with a run
// time becomes ready, createdOn, and dataplane token expiry.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures a Server. Engine is required; everything else has a
// default.
type Config struct {
	// Engine decides what each statement answers. Required.
	Engine Engine
	// Downloads serves the download route; nil answers 404 to every
	// download.
	Downloads Downloader
	// Clock is the server's time source; nil means real time.
	Clock Clock
	// Token is the API token every control-plane call must carry. Empty
	// accepts any non-empty bearer token. Change it later with SetToken.
	Token string
	// Base is the control-plane path prefix; default "/v2".
	Base string
	// DataplaneBase is the dataplane path prefix; default "/dp/v2".
	DataplaneBase string
	// DataplaneTokenTTL is how long a dataplane token stays valid after
	// the answer that handed it out; default 5 minutes.
	DataplaneTokenTTL time.Duration
	// MaxRequestBytes caps a request body; default 64 MiB.
	MaxRequestBytes int64
}

// Server is the protocol server. Create it with New; it is safe for
// concurrent use. Call Close to end held requests and WebSockets.
type Server struct {
	engine    Engine
	downloads Downloader
	clock     Clock
	base      string
	dpBase    string
	dpTTL     time.Duration
	maxBytes  int64

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu         sync.Mutex
	token      string
	closed     bool
	active     sync.WaitGroup // running handlers
	fault      FaultFunc
	requests   []Request
	epoch      int // bumped by ResetRequests
	statements map[string]*statement
	tokens     map[string]*statement // by dataplane token
}

// New returns a Server for cfg, or an error when cfg is unusable.
func New(cfg Config) (*Server, error) {
	if cfg.Engine == nil {
		return nil, errors.New("server: Config.Engine is required")
	}
	s := &Server{
		engine:     cfg.Engine,
		downloads:  cfg.Downloads,
		clock:      cfg.Clock,
		base:       cfg.Base,
		dpBase:     cfg.DataplaneBase,
		dpTTL:      cfg.DataplaneTokenTTL,
		maxBytes:   cfg.MaxRequestBytes,
		token:      cfg.Token,
		statements: make(map[string]*statement),
		tokens:     make(map[string]*statement),
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.base == "" {
		s.base = "/v2"
	}
	if s.dpBase == "" {
		s.dpBase = "/dp/v2"
	}
	for _, b := range []string{s.base, s.dpBase} {
		if !strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") {
			return nil, errors.New("server: base paths must start with '/' and must not end with '/': " + b)
		}
	}
	if s.base == s.dpBase {
		return nil, errors.New("server: Base and DataplaneBase must differ")
	}
	if s.dpTTL <= 0 {
		s.dpTTL = 5 * time.Minute
	}
	if s.maxBytes <= 0 {
		s.maxBytes = 64 << 20
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// SetToken replaces the API token; the old one is refused from now on.
// Empty accepts any non-empty bearer token.
func (s *Server) SetToken(token string) {
	s.mu.Lock()
	s.token = token
	s.mu.Unlock()
}

// Token returns the current API token.
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Base returns the control-plane path prefix, e.g. "/v2".
func (s *Server) Base() string { return s.base }

// Close refuses new requests (503), ends requests that are held by a fault
// and every dataplane WebSocket, and waits for the running handlers to
// return. Handlers blocked writing to a client that does not read are only
// released when their connection is closed (httptest.Server's
// CloseClientConnections does that). Close is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.active.Wait()
}

// Done is closed when Close has been called.
func (s *Server) Done() <-chan struct{} { return s.ctx.Done() }

// enter registers a running handler; false once the server is closed.
func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.active.Add(1)
	return true
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		writeError(w, http.StatusServiceUnavailable, "server is closing")
		return
	}
	defer s.active.Done()

	c := s.readCall(w, r)
	n := s.record(c)
	var f *Fault
	s.mu.Lock()
	hook := s.fault
	s.mu.Unlock()
	if hook != nil {
		rec := c.rec
		f = hook(&rec, n)
	}
	if f == nil {
		s.route(w, r, c)
		return
	}
	s.applyFault(w, r, f, func(w http.ResponseWriter) { s.route(w, r, c) })
}

// route dispatches a request to its handler.
func (s *Server) route(w http.ResponseWriter, r *http.Request, c *call) {
	p := r.URL.Path
	// Try the longer base first so that nested bases work.
	first, second := s.base, s.dpBase
	if len(second) > len(first) {
		first, second = second, first
	}
	for _, b := range []string{first, second} {
		rest, ok := strings.CutPrefix(p, b)
		if !ok || (rest != "" && rest[0] != '/') {
			continue
		}
		if b == s.dpBase {
			s.dataplane(w, r, rest, c)
		} else {
			s.controlPlane(w, r, rest, c)
		}
		return
	}
	writeError(w, http.StatusNotFound, "no such route: "+p)
}

// controlPlane serves the routes under the control-plane base.
func (s *Server) controlPlane(w http.ResponseWriter, r *http.Request, rest string, c *call) {
	if !s.authorize(w, r) {
		return
	}
	switch {
	case rest == "/statements":
		if !allow(w, r, http.MethodPost) {
			return
		}
		s.submit(w, r, c)
	case strings.HasPrefix(rest, "/statements/"):
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.getStatement(w, r, strings.TrimPrefix(rest, "/statements/"), false)
	case rest == "/version":
		if !allow(w, r, http.MethodGet) {
			return
		}
		writeVersion(w)
	case strings.HasPrefix(rest, "/download/"):
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.download(w, strings.TrimPrefix(rest, "/download/"))
	default:
		writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
	}
}

// dataplane serves the routes under the dataplane base.
func (s *Server) dataplane(w http.ResponseWriter, r *http.Request, rest string, c *call) {
	switch {
	case strings.HasPrefix(rest, "/statements/"):
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.getStatement(w, r, strings.TrimPrefix(rest, "/statements/"), true)
	case strings.HasPrefix(rest, "/print/"):
		if !allow(w, r, http.MethodGet) {
			return
		}
		s.serveWebSocket(w, r, strings.TrimPrefix(rest, "/print/"), c)
	case rest == "/version":
		if !allow(w, r, http.MethodGet) {
			return
		}
		if _, ok := s.dataplaneBearer(w, r); !ok {
			return
		}
		writeVersion(w)
	default:
		writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
	}
}

// authorize checks the API token; it answers 401/403 and returns false
// when the request may not proceed.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	got, ok := bearer(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "missing bearer token in the Authorization header")
		return false
	}
	want := s.Token()
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		return true
	}
	writeError(w, http.StatusForbidden, "invalid or expired API token")
	return false
}

// bearer returns the non-empty bearer token of r.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// allow answers 405 unless r uses method.
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+method)
	return false
}
