package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The redirect class of the fault suite: the driver never follows a
// redirect, on either plane, with its own client or a user's.

// trap is a server that records every request it receives: a followed
// redirect would reach it, token included.
type trap struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits []string
}

func newTrap(t *testing.T) *trap {
	tr := &trap{}
	tr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		tr.hits = append(tr.hits, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		tr.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"sqlState":"00000","statementID":"00000000-0000-0000-0000-000000000000","createdOn":1,"metadata":{"encoding":"json","partitionInfo":[{"rowCount":1}],"columns":[{"name":"a","type":"BIGINT","nullable":true}]},"data":[["666"]]}`))
	}))
	t.Cleanup(tr.srv.Close)
	return tr
}

func (tr *trap) received() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.hits...)
}

// redirectClient opens srv's DSN with the driver's own client, or with a
// user's client whose CheckRedirect would follow anything (and counts its
// calls: the driver must never consult it).
func redirectClient(t *testing.T, srv *dstest.Server, user bool, calls *atomic.Int64) *sql.DB {
	t.Helper()
	if !user {
		return openDB(t, srv, "retryTimeout=0", "minPollInterval=1ms")
	}
	cfg, err := deltastream.ParseDSN(srv.DSN() + "?retryTimeout=0&minPollInterval=1ms")
	require.NoError(t, err)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		calls.Add(1)
		return nil
	}}
	cfg.HTTPClient = hc
	connector, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	require.NotNil(t, hc.CheckRedirect, "the user's client is not changed")
	return db
}

func TestSecurityRedirectsNeverFollowed(t *testing.T) {
	tr := newTrap(t)
	trapHost := strings.TrimPrefix(tr.srv.URL, "http://")
	targets := map[string]string{
		"other port":    tr.srv.URL + "/v2/statements/x?token=abc",
		"https to http": "http://api.example.com/v2/statements/x",
		"sub-domain":    "http://evil.localhost:" + trapHost[strings.LastIndex(trapHost, ":")+1:] + "/v2/x",
		"relative":      "/v2/elsewhere",
	}
	planes := []struct {
		name   string
		status int
		script func(srv *dstest.Server)
		hit    func(r *dstest.Request) bool
		query  string
	}{
		{"POST 302", http.StatusFound, func(srv *dstest.Server) {
			srv.On("SELECT 1;").Columns(dstest.Col("a", "BIGINT")).Rows([]any{"1"})
		}, func(r *dstest.Request) bool { return r.Method == http.MethodPost }, "SELECT 1;"},
		{"poll 307", http.StatusTemporaryRedirect, func(srv *dstest.Server) {
			srv.On("SELECT 2;").Columns(dstest.Col("a", "BIGINT")).Rows([]any{"2"}).RunTime(time.Hour)
		}, func(r *dstest.Request) bool {
			return r.Method == http.MethodGet && strings.Contains(r.Path, "/statements/")
		}, "SELECT 2;"},
		{"partition 308", http.StatusPermanentRedirect, func(srv *dstest.Server) {
			srv.On("SELECT 3;").Columns(dstest.Col("a", "BIGINT")).Rows([]any{"3"}, []any{"4"}).PartitionSize(1)
		}, func(r *dstest.Request) bool { return r.Query.Get("partitionID") == "1" }, "SELECT 3;"},
		{"dataplane 301", http.StatusMovedPermanently, func(srv *dstest.Server) {
			srv.On("SELECT 4;").Columns(dstest.Col("a", "BIGINT")).Rows([]any{"5"}).Dataplane()
		}, func(r *dstest.Request) bool { return r.Dataplane }, "SELECT 4;"},
		{"websocket 307", http.StatusTemporaryRedirect, func(srv *dstest.Server) {
			srv.On("SELECT * FROM s;").Columns(dstest.Col("a", "VARCHAR")).Stream()
		}, func(r *dstest.Request) bool { return strings.Contains(r.Path, "/print/") }, "SELECT * FROM s;"},
	}
	for _, p := range planes {
		for tname, loc := range targets {
			for _, user := range []bool{false, true} {
				name := p.name + "/" + tname + "/default client"
				if user {
					name = p.name + "/" + tname + "/user client"
				}
				t.Run(name, func(t *testing.T) {
					srv := dstest.NewServer(t)
					p.script(srv)
					srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
						if p.hit(r) {
							return &dstest.Fault{Status: p.status, Header: http.Header{"Location": {loc}}}
						}
						return nil
					})
					var calls atomic.Int64
					db := redirectClient(t, srv, user, &calls)
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					err := queryAll(ctx, db, p.query)
					require.Error(t, err)
					assert.ErrorIs(t, err, deltastream.ErrRedirected)
					assert.NotErrorIs(t, err, context.DeadlineExceeded)
					msg := err.Error()
					assert.Contains(t, msg, "redirect")
					assert.NotContains(t, msg, srv.Token())
					assert.NotContains(t, msg, "token=abc", "the target's query is not shown")
					wantHost := strings.Split(strings.TrimPrefix(strings.TrimPrefix(loc, "http://"), "https://"), "/")[0]
					if !strings.HasPrefix(loc, "/") {
						assert.Contains(t, msg, wantHost, "the error says where the server tried to send the request")
					}
					assert.Empty(t, tr.received(), "a redirect target received a request")
					assert.Zero(t, calls.Load(), "the user's CheckRedirect was consulted")
					for _, r := range srv.Requests() {
						if r.AuthFrame != "" {
							t.Errorf("the WebSocket auth frame was sent: %s", r.AuthFrame)
						}
					}
				})
			}
		}
	}
}

// queryAll runs q and reads every row; it returns the first error.
func queryAll(ctx context.Context, db *sql.DB, q string) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}

// TestSecurityRedirectHTTPSToHTTP: a TLS server that redirects to plain
// http on another host; with the user's TLS client (the test server's
// certificate) the token still never leaves.
func TestSecurityRedirectHTTPSToHTTP(t *testing.T) {
	tr := newTrap(t)
	var hits atomic.Int64
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, tr.srv.URL+r.URL.Path, http.StatusFound)
	}))
	defer ts.Close()
	cfg, err := deltastream.ParseDSN("https://:" + secretToken(t) + "@" + strings.TrimPrefix(ts.URL, "https://") + "/v2?retryTimeout=0")
	require.NoError(t, err)
	cfg.HTTPClient = ts.Client()
	connector, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	defer db.Close()
	for _, run := range []func() error{
		func() error { return db.PingContext(context.Background()) },
		func() error { return queryAll(context.Background(), db, "SELECT 1;") },
	} {
		err := run()
		require.Error(t, err)
		assert.True(t, errors.Is(err, deltastream.ErrRedirected), err.Error())
		assert.Contains(t, err.Error(), tr.srv.URL)
		assert.NotContains(t, err.Error(), cfg.Token)
	}
	assert.Equal(t, int64(2), hits.Load(), "each request made once, not retried")
	assert.Empty(t, tr.received())
	assert.Nil(t, ts.Client().CheckRedirect, "the user's client is not changed")
}
