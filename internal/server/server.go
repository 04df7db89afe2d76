// Package server is the DeltaStream v2 protocol server shared by dstest and
// the emulator. It implements the control-plane REST API (submit, poll,
// partitions, version, downloads) and the dataplane (result-set route and
// WebSocket for streaming statements) as described in WIRE.md, as two
// http.Handlers meant for two listeners: like the service's
// https://api…/v2 and https://dataplane…/v2, the dataplane is another
// origin. What each statement answers is decided by an Engine; the server
// owns the bookkeeping around it: statement ids, createdOn, 202 until a
// statement is ready, partitions, dataplane tokens, request recording and
// fault injection.
//
// Serving it takes two listeners, the dataplane's address known before New:
//
//	cpL, _ := net.Listen("tcp", "127.0.0.1:0")
//	dpL, _ := net.Listen("tcp", "127.0.0.1:0")
//	srv, err := server.New(server.Config{Engine: e, DataplaneURL: "http://" + dpL.Addr().String() + "/v2"})
//	go http.Serve(cpL, srv.ControlPlane())
//	go http.Serve(dpL, srv.Dataplane())
//
// Routes, with the default control-plane base "/v2" and a DataplaneURL
// whose path is "/v2":
//
//	control plane (ControlPlane):
//	POST /v2/statements                     submit (multipart or JSON)
//	GET  /v2/statements/{id}?partitionID=N  status, then partition N
//	GET  /v2/version                        {"major":1,"minor":0,"patch":0}
//	GET  /v2/download/{kind}/{org}/{name}   an uploaded source
//	dataplane (Dataplane):
//	GET  /v2/statements/{id}?partitionID=N  result set (dataplane token)
//	GET  /v2/print/{id}                     WebSocket (auth frame)
//	GET  /v2/version                        version (dataplane token)
//
// Every control-plane call needs "Authorization: Bearer <token>": a missing
// header answers 401, a wrong token 403, both with a JSON error body. A GET
// of a statement id the server never handed out (and that the Engine does
// not find, see StatementFinder) answers 404 with a JSON error body: the
// spec lists 404 for GET /statements/{id}, and no SQL state means
// "statement not found". So does the id of a statement the server has
// forgotten: see Forget, Config.StatementTTL and Config.MaxStatements.
//
// Every JSON object is written with its keys in Config.KeyOrder, by default
// the service's alphabetical order.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
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
	// DataplaneURL is the dataplane's base URL as clients reach it, e.g.
	// "http://127.0.0.1:8081/v2": the handler returned by Dataplane must be
	// served there. Required. Its path (e.g. "/v2") is the dataplane's
	// path prefix. Dataplane answers hand out
	// DataplaneURL+"/statements/{id}" for result sets and the same URL with
	// scheme ws or wss +"/print/{id}" for streaming statements.
	DataplaneURL string
	// KeyOrder is the order of the keys in every JSON object the server
	// writes; the zero value is ServiceOrder, the service's.
	KeyOrder KeyOrder
	// DataplaneTokenTTL is how long a dataplane token stays valid after
	// the answer that handed it out; default 5 minutes.
	DataplaneTokenTTL time.Duration
	// MaxRequestBytes caps a request body; default 64 MiB.
	MaxRequestBytes int64
	// StatementTTL, when positive, makes the server forget a statement
	// that has been idle that long on Clock, as the service forgets old
	// statements: GETs of its id then answer 404 as for an unknown id
	// (unless the Engine, a StatementFinder, finds it again), and its
	// dataplane token is refused. Idle means finished (RunTime and Gate
	// passed), with no WebSocket open to it and no request being
	// answered about it; the time counts from its last access (the
	// submission, or the end of the last status poll, partition or
	// dataplane fetch or WebSocket), so a client paging a large result
	// keeps it as long as it reads more often than StatementTTL. Zero
	// keeps every statement until Forget or Close. Expired statements are
	// forgotten by the requests that come after (no timer runs).
	StatementTTL time.Duration
	// MaxStatements, when positive, caps the number of statements kept:
	// beyond it the least recently accessed idle statements are
	// forgotten, as by StatementTTL. Statements in use are never
	// forgotten, so the count may exceed MaxStatements while they are.
	// Zero means no cap.
	MaxStatements int
	// DiscardRequests makes the server keep no record of requests
	// (Requests returns nil, Recorded never fires), for long-running
	// servers such as the emulator; the fault hook still sees every
	// request with its number.
	DiscardRequests bool
}

// Server is the protocol server. Create it with New; it is safe for
// concurrent use. Call Close to end held requests and WebSockets.
type Server struct {
	engine    Engine
	downloads Downloader
	clock     Clock
	base      string
	dpBase    string // path of dpURL
	dpURL     string // Config.DataplaneURL without a trailing slash
	wsURL     string // dpURL with scheme ws or wss
	order     KeyOrder
	dpTTL     time.Duration
	maxBytes  int64
	ttl       time.Duration // Config.StatementTTL
	// maxStatements is Config.MaxStatements.
	maxStatements int
	discard       bool // Config.DiscardRequests

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc

	mu         sync.Mutex
	token      string
	closed     bool
	active     sync.WaitGroup // running handlers
	fault      FaultFunc
	requests   []Request
	recorded   chan struct{} // closed and replaced when a request is recorded
	epoch      int           // bumped by ResetRequests
	discarded  int           // requests numbered but not kept (discard)
	statements map[string]*statement
	tokens     map[string]*statement // by dataplane token
	idle       idleHeap              // every statement when retains()
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
		dpTTL:      cfg.DataplaneTokenTTL,
		maxBytes:   cfg.MaxRequestBytes,
		ttl:        cfg.StatementTTL,
		discard:    cfg.DiscardRequests,
		order:      cfg.KeyOrder,
		token:      cfg.Token,
		recorded:   make(chan struct{}),
		statements: make(map[string]*statement),
		tokens:     make(map[string]*statement),
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.base == "" {
		s.base = "/v2"
	}
	if !s.order.valid() {
		return nil, errors.New("server: unknown Config.KeyOrder " + s.order.String())
	}
	if err := s.setDataplaneURL(cfg.DataplaneURL); err != nil {
		return nil, err
	}
	for _, b := range []string{s.base, s.dpBase} {
		if !strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") {
			return nil, errors.New("server: base paths must start with '/' and must not end with '/': " + strconv.Quote(b))
		}
	}
	if s.dpTTL <= 0 {
		s.dpTTL = 5 * time.Minute
	}
	s.maxStatements = max(cfg.MaxStatements, 0)
	if s.maxBytes <= 0 {
		s.maxBytes = 64 << 20
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// setDataplaneURL checks and sets the dataplane's base URL.
func (s *Server) setDataplaneURL(raw string) error {
	if raw == "" {
		return errors.New("server: Config.DataplaneURL is required, e.g. \"http://127.0.0.1:8081/v2\" where Dataplane() is served")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("server: Config.DataplaneURL must be an http or https URL with a host and a path, such as \"https://dp.example.com/v2\"; got " + strconv.Quote(raw))
	}
	s.dpBase = u.Path
	s.dpURL = u.Scheme + "://" + u.Host + u.Path
	ws := "ws"
	if u.Scheme == "https" {
		ws = "wss"
	}
	s.wsURL = ws + "://" + u.Host + u.Path
	return nil
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

// DataplaneURL returns the dataplane's base URL, Config.DataplaneURL.
func (s *Server) DataplaneURL() string { return s.dpURL }

// KeyOrder returns the order in which the server writes JSON keys.
func (s *Server) KeyOrder() KeyOrder { return s.order }

// Close refuses new requests (503), ends requests that are held by a fault
// and every dataplane WebSocket, waits for the running handlers to
// return, and forgets every statement (releasing PageSources that are
// Releasers). Handlers blocked writing to a client that does not read are only
// released when their connection is closed (httptest.Server's
// CloseClientConnections does that). Close is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.active.Wait()
	s.closeStatements()
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

// ControlPlane returns the handler of the control-plane API, to be served
// at the origin clients are configured with. It may be served by several
// listeners; it is safe for concurrent use.
func (s *Server) ControlPlane() http.Handler { return plane{s, false} }

// Dataplane returns the handler of the dataplane, to be served at
// Config.DataplaneURL's origin.
func (s *Server) Dataplane() http.Handler { return plane{s, true} }

// plane is the handler of one plane.
type plane struct {
	s  *Server
	dp bool
}

// ServeHTTP implements http.Handler.
func (p plane) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.s.serve(w, r, p.dp) }

// serve records, maybe mistreats, and routes one request to plane dp.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, dp bool) {
	if !s.enter() {
		s.writeError(w, http.StatusServiceUnavailable, "server is closing")
		return
	}
	defer s.active.Done()

	c := s.readCall(w, r, dp)
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
	base := s.base
	if c.rec.Dataplane {
		base = s.dpBase
	}
	rest, ok := strings.CutPrefix(r.URL.Path, base)
	switch {
	case !ok || (rest != "" && rest[0] != '/'):
		s.writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
	case c.rec.Dataplane:
		s.dataplane(w, r, rest, c)
	default:
		s.controlPlane(w, r, rest, c)
	}
}

// controlPlane serves the routes under the control-plane base.
func (s *Server) controlPlane(w http.ResponseWriter, r *http.Request, rest string, c *call) {
	if !s.authorize(w, r) {
		return
	}
	switch {
	case rest == "/statements":
		if !s.allow(w, r, http.MethodPost) {
			return
		}
		s.submit(w, r, c)
	case strings.HasPrefix(rest, "/statements/"):
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		s.getStatement(w, r, strings.TrimPrefix(rest, "/statements/"), false)
	case rest == "/version":
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		s.writeVersion(w)
	case strings.HasPrefix(rest, "/download/"):
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		s.download(w, strings.TrimPrefix(rest, "/download/"))
	default:
		s.writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
	}
}

// dataplane serves the routes under the dataplane base.
func (s *Server) dataplane(w http.ResponseWriter, r *http.Request, rest string, c *call) {
	switch {
	case strings.HasPrefix(rest, "/statements/"):
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		s.getStatement(w, r, strings.TrimPrefix(rest, "/statements/"), true)
	case strings.HasPrefix(rest, "/print/"):
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		s.serveWebSocket(w, r, strings.TrimPrefix(rest, "/print/"), c)
	case rest == "/version":
		if !s.allow(w, r, http.MethodGet) {
			return
		}
		if _, ok := s.dataplaneBearer(w, r, false); !ok {
			return
		}
		s.writeVersion(w)
	default:
		s.writeError(w, http.StatusNotFound, "no such route: "+r.URL.Path)
	}
}

// authorize checks the API token; it answers 401/403 and returns false
// when the request may not proceed.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	got, ok := bearer(r)
	if !ok {
		s.writeError(w, http.StatusUnauthorized, "missing bearer token in the Authorization header")
		return false
	}
	want := s.Token()
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
		return true
	}
	s.writeError(w, http.StatusForbidden, "invalid or expired API token")
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
func (s *Server) allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	s.writeError(w, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed; use "+method)
	return false
}
