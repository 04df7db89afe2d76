package dstest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
)

// Clock tells the server the time; it decides when a statement scripted with
// RunTime becomes ready. The default is real time.
type Clock interface {
	Now() time.Time
}

// Option configures NewServer.
type Option func(*config)

type config struct {
	token string
	clock Clock
	order KeyOrder
	ttl   time.Duration // see WithStatementTTL
}

// KeyOrder is the order of the keys in the JSON objects the server
// writes; see WithKeyOrder.
type KeyOrder int

const (
	// ServiceOrder, the default, writes the keys of every JSON object in
	// alphabetical order at every level, as DeltaStream's service does:
	// createdOn, data, message, metadata {columns, context,
	// dataplaneRequest, encoding, partitionInfo}, sqlState, statementID,
	// statementIDs. The rows (data) therefore arrive before the columns
	// (metadata) and the sqlState.
	ServiceOrder KeyOrder = iota
	// LegacyOrder writes sqlState, message, statementID, statementIDs,
	// createdOn and metadata first and data last (and "type" first in
	// WebSocket frames), the order of the hand-written fixtures in the
	// official clients' repositories.
	LegacyOrder
)

// String returns the name of the order.
func (o KeyOrder) String() string { return server.KeyOrder(o).String() }

// WithKeyOrder sets the order of the keys in every JSON object the server
// writes (answers, error bodies, WebSocket frames). The default is
// ServiceOrder; run a test in both orders to check that the code under
// test does not depend on the order.
func WithKeyOrder(order KeyOrder) Option {
	return func(c *config) { c.order = order }
}

// WithToken sets the API token the server accepts (default: a random
// token). Every control-plane request must carry "Authorization: Bearer
// <token>"; others are answered 403 (401 without the header). An empty
// token accepts any non-empty bearer token.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithClock makes the server read time from clock instead of the real
// clock, for RunTime scripts that tests want to finish without waiting.
func WithClock(clock Clock) Option {
	return func(c *config) { c.clock = clock }
}

// Server is a fake DeltaStream service on two loopback ports, one for the
// control plane (URL, DSN) and one for the dataplane (DataplaneURL). Create
// it with NewServer; script it with On, OnMatch and OnID; inspect what it
// received with Requests, Submissions, Submitted and Polls. All methods are
// safe for concurrent use with the running server.
type Server struct {
	ts        *httptest.Server // control plane
	dp        *httptest.Server // dataplane
	srv       *server.Server
	eng       *engine
	closeOnce sync.Once
}

// NewServer starts a fake DeltaStream server and registers its Close with
// t.Cleanup. It fails the test at once if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := New(opts...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// New starts a fake DeltaStream server outside of a test's lifetime, e.g.
// in TestMain or an example; the caller must Close it. Prefer NewServer in
// tests.
func New(opts ...Option) (*Server, error) {
	cfg := config{token: randomToken()}
	for _, o := range opts {
		o(&cfg)
	}
	eng := newEngine()
	var clock server.Clock
	if cfg.clock != nil {
		clock = cfg.clock
	}
	// Both listeners exist before the server: answers name the dataplane.
	ts, dp := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	srv, err := server.New(server.Config{
		Engine:       eng,
		Downloads:    eng,
		Clock:        clock,
		Token:        cfg.token,
		KeyOrder:     server.KeyOrder(cfg.order),
		StatementTTL: cfg.ttl,
		DataplaneURL: "http://" + dp.Listener.Addr().String() + "/v2",
	})
	if err != nil {
		ts.Close()
		dp.Close()
		return nil, fmt.Errorf("dstest: %w", err)
	}
	eng.done = srv.Done()
	ts.Config.Handler, dp.Config.Handler = srv.ControlPlane(), srv.Dataplane()
	ts.Start()
	dp.Start()
	return &Server{ts: ts, dp: dp, srv: srv, eng: eng}, nil
}

// URL returns the control-plane base URL, e.g. "http://127.0.0.1:PORT/v2".
func (s *Server) URL() string { return s.ts.URL + s.srv.Base() }

// DSN returns a data source name for the driver holding the server's
// current token, "http://:TOKEN@127.0.0.1:PORT/v2", ready for
// sql.Open("deltastream", dsn). Plain http is allowed to loopback hosts.
func (s *Server) DSN() string {
	u, err := url.Parse(s.ts.URL)
	if err != nil {
		return ""
	}
	u.User = url.UserPassword("", s.Token())
	u.Path = s.srv.Base()
	return u.String()
}

// DataplaneURL returns the dataplane's base URL, e.g.
// "http://127.0.0.1:PORT2/v2": another origin than URL, as the service's
// dataplane is. Answers of Dataplane and Stream statements point there.
func (s *Server) DataplaneURL() string { return s.srv.DataplaneURL() }

// KeyOrder returns the order in which the server writes JSON keys.
func (s *Server) KeyOrder() KeyOrder { return KeyOrder(s.srv.KeyOrder()) }

// Token returns the API token the server currently accepts.
func (s *Server) Token() string { return s.srv.Token() }

// SetToken rotates the API token: from now on only token is accepted and
// the old one gets 403.
func (s *Server) SetToken(token string) { s.srv.SetToken(token) }

// Client returns an *http.Client configured for the server (both planes).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Close shuts the server down: requests held by a fault end, streams end
// (blocked Push calls return ErrServerClosed), WebSockets close, and every
// server goroutine has returned when Close returns. Close is idempotent;
// NewServer registers it with t.Cleanup.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		for _, ts := range []*httptest.Server{s.ts, s.dp} {
			_ = ts.Listener.Close()
			ts.CloseClientConnections()
		}
		s.srv.Close()
		s.ts.Close()
		s.dp.Close()
	})
}

// AddDownload stores data as the source served by GET
// {base}/download/{kind}/{orgID}/{name}. kind is "function_source" or
// "descriptor_source". orgID may be an organization UUID or a name; a name
// is mapped to the same stable UUID that metadata.context reports for it,
// and both spellings serve the data.
func (s *Server) AddDownload(kind, orgID, name string, data []byte) {
	s.eng.addDownload(kind, orgID, name, data)
}

// randomToken returns a fresh random API token.
func randomToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "dstest-" + hex.EncodeToString(b[:])
}
