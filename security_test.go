package deltastream_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// secretToken returns a fresh, easily grepped API token.
func secretToken(t *testing.T) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "SeCrEt" + hex.EncodeToString(b[:])
}

// leakCheck collects everything the driver produced during a run (errors
// in every format, panics, printed values) so that a test can grep it all
// for the token.
type leakCheck struct {
	t      *testing.T
	mu     sync.Mutex
	texts  []string
	panics []string
}

func (l *leakCheck) add(what string, v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.texts = append(l.texts, fmt.Sprintf("%s: %v | %+v | %#v | %s", what, v, v, v, v))
}

// run calls f, recording the error it returns and any panic.
func (l *leakCheck) run(what string, f func() error) error {
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				l.mu.Lock()
				l.panics = append(l.panics, fmt.Sprintf("%s: %v", what, r))
				l.mu.Unlock()
			}
		}()
		err = f()
	}()
	if err != nil {
		l.add(what, err)
	}
	return err
}

func (l *leakCheck) assertClean(token string) {
	l.t.Helper()
	assert.Empty(l.t, l.panics)
	for _, s := range append(l.texts, l.panics...) {
		assert.NotContains(l.t, s, token)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// openLogged opens a DB for dsn whose connector logs at Debug into logs.
func openLogged(t *testing.T, dsn string, logs io.Writer) *sql.DB {
	t.Helper()
	cfg, err := deltastream.ParseDSN(dsn)
	require.NoError(t, err)
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	connector, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSecurityTokenNeverLeaks(t *testing.T) {
	tok := secretToken(t)
	l := &leakCheck{t: t}
	var logs syncBuffer

	// Bad DSNs holding the token.
	for _, dsn := range []string{
		"https://:" + tok + "@api.example.com/v2?nope=1",
		"https://:" + tok + "@api.example.com/v2?prefetch=-1",
		"https://:" + tok + "@api.example.com/v2?requestTimeout=soon",
		"https://:" + tok + "@api.example.com/v2?insecureSkipVerify=maybe",
		"https://:" + tok + "@api.example.com/v2?role=a&role=b",
		"https://:" + tok + "@api.example.com/v2?role=%zz",
		"https://:" + tok + "@api.example.com/v2#frag",
		"https://:" + tok + "@api.example.com:port/v2",
		"https://:" + tok + "%zz@api.example.com/v2",
		"ftp://:" + tok + "@api.example.com/v2",
		"https:" + tok + "@api.example.com",
		"http://:" + tok + "@api.example.com/v2",
		"https://:" + tok + "@api.example.com/v2?timezone=Mars/Olympus",
		"https://:" + tok + "@api.example.com/v2?minPollInterval=0s",
	} {
		l.run("ParseDSN+NewConnector", func() error {
			cfg, err := deltastream.ParseDSN(dsn)
			if err != nil {
				return err
			}
			_, err = deltastream.NewConnector(cfg)
			return err
		})
		l.run("sql.Open+Ping", func() error {
			db, err := sql.Open(deltastream.DriverName, dsn)
			if err != nil {
				return err
			}
			defer db.Close()
			return db.Ping()
		})
	}

	// Printing a Config, directly and through slog.
	cfg, err := deltastream.ParseDSN("https://:" + tok + "@api.example.com/v2?organization=acme")
	require.NoError(t, err)
	cfg.TokenProvider = func(context.Context) (string, error) { return tok, nil }
	l.add("Config", *cfg)
	l.add("*Config", cfg)
	l.add("Config %q", fmt.Sprintf("%q", *cfg))
	var printed syncBuffer
	slog.New(slog.NewTextHandler(&printed, nil)).Info("config", "cfg", cfg, "value", *cfg)
	slog.New(slog.NewJSONHandler(&printed, nil)).Info("config", "cfg", cfg, "value", *cfg)
	dc, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	connector := dc.(*deltastream.Connector)
	l.add("Connector", connector)
	l.add("slog", printed.String())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{*cfg, cfg, connector, *connector} {
			out := fmt.Sprintf(verb, v)
			for _, form := range []string{tok, hex.EncodeToString([]byte(tok)), strings.ToUpper(hex.EncodeToString([]byte(tok)))} {
				assert.NotContains(t, out, form, "%s of %T", verb, v)
			}
		}
	}

	// A server that accepts the token, and requests failing every way.
	srv := dstest.NewServer(t, dstest.WithToken(tok))
	srv.On(resilSQL).Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1}, []any{2}, []any{3}).PartitionSize(1)
	srv.On("SELECT dp;").Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1}, []any{2}).PartitionSize(1).Dataplane()
	srv.On("DROP STREAM nope;").Error(deltastream.StateRelationNotFound, "relation nope not found")
	db := openLogged(t, srv.DSN()+"?retryTimeout=500ms&requestTimeout=200ms", &logs)
	ctx := context.Background()
	query := func(q string) error {
		_, _, err := queryInts(ctx, db, q)
		return err
	}
	// Error bodies that echo the request's Authorization header back, as
	// some proxies and gateways do.
	echo := func(status int, format string) func(r *dstest.Request) *dstest.Fault {
		return func(r *dstest.Request) *dstest.Fault {
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			return &dstest.Fault{Status: status, Body: fmt.Sprintf(format, tok)}
		}
	}
	fixed := func(f *dstest.Fault) func(*dstest.Request) *dstest.Fault {
		return func(*dstest.Request) *dstest.Fault { return f }
	}
	isDataplane := func(r *dstest.Request) bool { return r.Dataplane }
	faults := []struct {
		name  string
		match func(*dstest.Request) bool
		f     func(*dstest.Request) *dstest.Fault
	}{
		{"none", isPart1, fixed(nil)},
		{"503 then success", isPart1, fixed(&dstest.Fault{Status: 503})},
		{"401", isPart1, fixed(&dstest.Fault{Status: 401})},
		{"500 echoing the token as JSON", isPart1, echo(500, `{"message":"token %s is not valid","traceID":"t1"}`)},
		{"500 echoing the token as text", isPart1, echo(500, "bad Authorization: Bearer %s")},
		{"400 echoing the token as HTML", isPart1, echo(400, "<html><title>%s</title></html>")},
		{"503 echoing the token, retried", isPart1, echo(503, "no %s")},
		{"POST 429 echoing the token", isPost, echo(429, `{"message":"slow down, %s"}`)},
		{"version 403 echoing the token", isVers, echo(403, `{"message":"%s expired"}`)},
		{"dataplane 500 echoing its token", isDataplane, echo(500, "bad Authorization: Bearer %s")},
		{"reset", isPart1, fixed(&dstest.Fault{ResetAfter: -1})},
		{"reset mid body", isPart1, fixed(&dstest.Fault{ResetAfter: 20})},
		{"hang", isPart1, fixed(&dstest.Fault{Hang: true})},
		{"garbage body with the token", isPart1, fixed(&dstest.Fault{Replace: tok})},
	}
	for _, fc := range faults {
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if !fc.match(r) {
				return nil
			}
			return fc.f(r)
		})
		l.run(fc.name+": query", func() error { return query(resilSQL) })
		dpErr := l.run(fc.name+": dataplane query", func() error { return query("SELECT dp;") })
		if strings.HasPrefix(fc.name, "dataplane ") {
			assert.Error(t, dpErr, "%s: the fault reached the dataplane", fc.name)
		}
		l.run(fc.name+": ping", func() error { return db.PingContext(ctx) })
	}
	srv.Fault(nil)
	l.run("SQL error", func() error { _, err := db.ExecContext(ctx, "DROP STREAM nope;"); return err })
	l.run("unscripted", func() error { return query("SELECT nothing;") })
	srv.SetToken("another")
	l.run("403: query", func() error { return query(resilSQL) })
	l.run("403: ping", func() error { return db.PingContext(ctx) })
	srv.SetToken(tok)
	short, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	l.run("ctx deadline", func() error { _, _, err := queryInts(short, db, resilSQL); return err })

	// Nobody listening.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	gone := openLogged(t, "http://:"+tok+"@"+addr+"/v2?retryTimeout=300ms", &logs)
	l.run("connection refused: ping", func() error { return gone.PingContext(ctx) })
	l.run("connection refused: query", func() error { return gone.QueryRowContext(ctx, resilSQL).Scan(new(int)) })

	// The dataplane tokens the server handed out are secrets too.
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	secrets := map[string]bool{tok: true}
	for _, r := range reqs {
		if r.Dataplane {
			auth := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			assert.NotEqual(t, tok, auth, "the API token went to the dataplane")
			secrets[auth] = true
		}
	}
	assert.Greater(t, len(secrets), 1, "dataplane tokens seen")
	assert.Contains(t, logs.String(), "deltastream: retrying", "the log saw the retries")
	for secret := range secrets {
		l.assertClean(secret)
		assert.NotContains(t, logs.String(), secret)
	}
	assert.NotEmpty(t, l.texts)

	// What went over the wire: the token only in the Authorization header.
	for _, r := range reqs {
		h := r.Header.Clone()
		h.Del("Authorization")
		hr := &http.Request{Method: r.Method, URL: &url.URL{Path: r.Path, RawQuery: r.Query.Encode()}, Header: h, Host: "x"}
		dump, err := httputil.DumpRequest(hr, false)
		require.NoError(t, err)
		body, err := json.Marshal(r.Statement)
		require.NoError(t, err)
		for secret := range secrets {
			assert.NotContains(t, string(dump), secret)
			assert.NotContains(t, string(body), secret)
		}
	}
}

// TestSecurityTLS checks that the default connector verifies the server's
// certificate, and that insecureSkipVerify=true turns that off.
func TestSecurityTLS(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On(resilSQL).Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1}, []any{2}).PartitionSize(1)
	backend, err := url.Parse(srv.URL())
	require.NoError(t, err)
	upstream := &http.Transport{}
	proxy := &httputil.ReverseProxy{
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.SetURL(&url.URL{Scheme: "http", Host: backend.Host}) },
		Transport: upstream,
	}
	ts := httptest.NewUnstartedServer(proxy)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes
	ts.StartTLS()
	t.Cleanup(ts.Close)
	t.Cleanup(upstream.CloseIdleConnections)
	dsn := "https://:" + srv.Token() + "@" + ts.Listener.Addr().String() + "/v2"

	t.Run("verified by default", func(t *testing.T) {
		db, err := sql.Open(deltastream.DriverName, dsn)
		require.NoError(t, err)
		defer db.Close()
		start := time.Now()
		err = db.Ping()
		require.Error(t, err)
		assert.Contains(t, err.Error(), "certificate")
		assert.NotContains(t, err.Error(), srv.Token())
		assert.NotContains(t, err.Error(), "attempts", "a certificate error is not retried")
		assert.Less(t, time.Since(start), 5*time.Second, "a certificate error is not retried")
		var de *deltastream.Error
		assert.False(t, errors.As(err, &de))
	})
	t.Run("insecureSkipVerify", func(t *testing.T) {
		db, err := sql.Open(deltastream.DriverName, dsn+"?insecureSkipVerify=true")
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.Ping())
		got, _, err := queryInts(context.Background(), db, resilSQL)
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 2}, got)
	})
}

// staleProvider is a token provider with a cache: after rotate it still
// hands out the old token stale more times (the cache does not know yet),
// then the new one. It counts its calls.
type staleProvider struct {
	mu         sync.Mutex
	cur, next  string
	stale      int
	calls      int
	rotated    bool
	afterCalls int // calls since rotate
}

func (p *staleProvider) token(context.Context) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.rotated {
		p.afterCalls++
	}
	if p.next != "" {
		if p.stale > 0 {
			p.stale--
			return p.cur, nil
		}
		p.cur, p.next = p.next, ""
	}
	return p.cur, nil
}

func (p *staleProvider) rotate(next string, stale int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.next, p.stale, p.afterCalls, p.rotated = next, stale, 0, true
}

func (p *staleProvider) counts() (calls, afterRotate int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, p.afterCalls
}

// openWithProvider opens a DB on srv whose token comes from provider.
func openWithProvider(t *testing.T, srv *dstest.Server, provider func(context.Context) (string, error), params string) *sql.DB {
	t.Helper()
	cfg, err := deltastream.ParseDSN(srv.DSN() + params)
	require.NoError(t, err)
	cfg.Token = ""
	cfg.TokenProvider = provider
	connector, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSecurityTokenRotationMidResult(t *testing.T) {
	oldTok, newTok := secretToken(t), secretToken(t)
	srv := dstest.NewServer(t, dstest.WithToken(oldTok))
	srv.On(resilSQL).Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1}, []any{2}, []any{3}, []any{4}, []any{5}).PartitionSize(2)
	prov := &staleProvider{cur: oldTok}
	db := openWithProvider(t, srv, prov.token, "?prefetch=0") // partitions fetched as they are reached

	rows, err := db.QueryContext(context.Background(), resilSQL)
	require.NoError(t, err)
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var n int64
		require.NoError(t, rows.Scan(&n))
		got = append(got, n)
		if n == 2 { // partition 0 read: the token rotates before partition 1
			srv.SetToken(newTok)
			prov.rotate(newTok, 1)
		}
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, resilRows, got)

	_, after := prov.counts()
	assert.Equal(t, 3, after, "partition 1 (stale), one refresh, partition 2")
	var seen []string
	reqs := srv.Requests()
	for i := range reqs {
		if r := &reqs[i]; isPartN(r) {
			seen = append(seen, r.Query.Get("partitionID")+":"+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		}
	}
	assert.Equal(t, []string{"1:" + oldTok, "1:" + newTok, "2:" + newTok}, seen)
	assert.Equal(t, 1, srv.Submitted(resilSQL))
}

// TestSecurityTokenRefreshSingleFlight rejects the token of n concurrent
// requests at once: they share one refresh.
func TestSecurityTokenRefreshSingleFlight(t *testing.T) {
	const n = 8
	oldTok, newTok := secretToken(t), secretToken(t)
	srv := dstest.NewServer(t, dstest.WithToken(newTok)) // the old token is already rejected
	var mu sync.Mutex
	calls := 0
	provider := func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls <= n {
			return oldTok, nil // every request starts with the stale token
		}
		return newTok, nil
	}
	// Hold the stale requests until all n have arrived, so that they are
	// all rejected together and refresh concurrently.
	arrived, all := 0, make(chan struct{})
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		if r.Header.Get("Authorization") != "Bearer "+oldTok {
			return nil
		}
		mu.Lock()
		if arrived++; arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(10 * time.Second): // failsafe: the test fails below
		}
		return nil
	})
	db := openWithProvider(t, srv, provider, "")

	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.PingContext(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.NoError(t, err)
	}
	mu.Lock()
	assert.Equal(t, n+1, calls, "n requests and a single refresh")
	mu.Unlock()
	var stale, fresh int
	for _, r := range srv.Requests() {
		switch r.Header.Get("Authorization") {
		case "Bearer " + oldTok:
			stale++
		case "Bearer " + newTok:
			fresh++
		}
	}
	assert.Equal(t, n, stale)
	assert.Equal(t, n, fresh)
}

func TestSecurityTokenProviderFailures(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On(resilSQL).Columns(dstest.NotNullCol("n", "BIGINT")).Rows([]any{1})
	t.Run("provider error", func(t *testing.T) {
		boom := errors.New("vault sealed")
		db := openWithProvider(t, srv, func(context.Context) (string, error) { return "", boom }, "")
		srv.ResetRequests()
		err := db.PingContext(context.Background())
		assert.ErrorIs(t, err, boom)
		assert.Contains(t, err.Error(), "token provider")
		assert.Empty(t, srv.Requests(), "nothing sent without a token")
	})
	t.Run("rejected token is refreshed once, then fails", func(t *testing.T) {
		calls := 0
		var mu sync.Mutex
		db := openWithProvider(t, srv, func(context.Context) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return "revoked", nil
		}, "")
		srv.ResetRequests()
		_, _, err := queryInts(context.Background(), db, resilSQL)
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.ErrorIs(t, err, deltastream.ErrUnauthorized)
		assert.Equal(t, 2, de.Attempts)
		assert.Len(t, srv.Requests(), 2, "the POST and its retry after the refresh, both refused")
		mu.Lock()
		assert.Equal(t, 3, calls, "the request, the refresh, the retry")
		mu.Unlock()
	})
}
