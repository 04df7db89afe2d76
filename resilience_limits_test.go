package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The "no wait without a limit" and "errors keep their cause" classes of
// the fault suite: trickling bodies, a dataplane WebSocket that never
// starts, a ctx that ends during retries, DNS failures and a connection
// that breaks after a statement was sent.

const (
	hardID      = "6c3e1f0a-0000-4000-8000-000000000001"
	hardColumns = `{"encoding":"json","partitionInfo":[{"rowCount":1},{"rowCount":1}],"columns":[{"name":"n","type":"BIGINT","nullable":false}]}`
)

// trickle writes head, then one space (valid JSON whitespace) every 5ms
// until the client goes away: a body that never ends and never stalls.
func trickle(w http.ResponseWriter, r *http.Request, status int, head string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(head))
	f := w.(http.Flusher)
	f.Flush()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			f.Flush()
		}
	}
}

// steady writes body in chunks of 4 KiB, one every 10ms: slow, but above
// the minimum progress.
func steady(w http.ResponseWriter, r *http.Request, body string) {
	w.Header().Set("Content-Type", "application/json")
	f := w.(http.Flusher)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for len(body) > 0 {
		n := min(len(body), 4<<10)
		if _, err := w.Write([]byte(body[:n])); err != nil {
			return
		}
		f.Flush()
		body = body[n:]
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
	}
}

// hardServer serves POST /v2/statements with post and every GET with get,
// for a driver with requestTimeout=150ms.
func hardServer(t *testing.T, post, get http.HandlerFunc) *sql.DB {
	return hardServerTimeout(t, "150ms", post, get)
}

func hardServerTimeout(t *testing.T, requestTimeout string, post, get http.HandlerFunc) *sql.DB {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = r.Body.Read(make([]byte, 1))
		if r.Method == http.MethodPost {
			post(w, r)
			return
		}
		get(w, r)
	}))
	t.Cleanup(ts.Close)
	db, err := sql.Open("deltastream", "http://:tok@"+strings.TrimPrefix(ts.URL, "http://")+"/v2?requestTimeout="+requestTimeout+"&retryTimeout=0&minPollInterval=1ms")
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func finished(data string) string {
	return `{"sqlState":"00000","statementID":"` + hardID + `","createdOn":1,"metadata":` + hardColumns + `,"data":` + data + `}`
}

func TestResilTricklingBodiesAreCut(t *testing.T) {
	notFound := func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }
	tests := []struct {
		name      string
		post, get http.HandlerFunc
	}{
		{"200 answer", func(w http.ResponseWriter, r *http.Request) {
			trickle(w, r, 200, `{"sqlState":"00000","statementID":"`+hardID+`","createdOn":1,"metadata":`+hardColumns+`,"data":[["1"]`)
		}, notFound},
		{"202 answer", func(w http.ResponseWriter, r *http.Request) {
			trickle(w, r, 202, `{"sqlState":"03000","statementID":"`+hardID+`"`)
		}, notFound},
		{"partition", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte(finished(`[["1"]]`)))
		}, func(w http.ResponseWriter, r *http.Request) {
			trickle(w, r, 200, `{"sqlState":"00000","statementID":"`+hardID+`","createdOn":1,"metadata":`+hardColumns+`,"data":[["2"]`)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := hardServer(t, tc.post, tc.get)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err := queryAll(ctx, db, "SELECT n FROM t;")
			require.Error(t, err)
			assert.False(t, errors.Is(err, context.DeadlineExceeded), "cut by the progress rule, not by ctx: %v", err)
			assert.Contains(t, err.Error(), "requestTimeout 150ms")
			if tc.name != "202 answer" { // its header is not decoded yet: no id known
				assert.Contains(t, err.Error(), hardID)
			}
		})
	}
	t.Run("slow but steady body completes", func(t *testing.T) {
		// About 400 KB at 4 KiB per 10ms: the body takes about three
		// request timeouts, and is never cut.
		t.Parallel()
		pad := `["` + strings.Repeat("9", 5) + `"]`
		rows := strings.Repeat(pad+",", 40000) + pad
		db := hardServerTimeout(t, "300ms", func(w http.ResponseWriter, r *http.Request) {
			steady(w, r, finished(`[`+rows+`]`))
		}, func(w http.ResponseWriter, r *http.Request) {
			steady(w, r, finished(`[["1"]]`))
		})
		n := 0
		rows2, err := db.Query("SELECT n FROM t;")
		require.NoError(t, err)
		defer rows2.Close()
		for rows2.Next() {
			n++
		}
		require.NoError(t, rows2.Err())
		assert.Equal(t, 40002, n)
	})
}

// wsServer answers POST with a streaming result whose WebSocket accepts
// and reads the auth frame, then sends nothing until the client leaves.
func TestResilWebSocketStartBounded(t *testing.T) {
	t.Run("handshake never answered", func(t *testing.T) {
		srv := dstest.NewServer(t)
		srv.On("SELECT * FROM s;").Columns(dstest.Col("a", "VARCHAR")).Stream()
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if strings.Contains(r.Path, "/print/") {
				return &dstest.Fault{Hang: true}
			}
			return nil
		})
		db := openDB(t, srv, "requestTimeout=150ms")
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := queryAll(ctx, db, "SELECT * FROM s;")
		require.Error(t, err)
		assert.False(t, errors.Is(err, context.DeadlineExceeded), err.Error())
		assert.Contains(t, err.Error(), "no WebSocket handshake within requestTimeout 150ms")
	})
	t.Run("metadata frame never sent", func(t *testing.T) {
		var base string
		got := make(chan string, 1)
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				_, _ = fmt.Fprintf(w, `{"sqlState":"00000","statementID":"%s","createdOn":1,"metadata":{"encoding":"json","dataplaneRequest":{"requestType":"streaming","statementID":"%[1]s","token":"dptoken","uri":"%s/print/%[1]s"}},"data":[]}`, hardID, base)
				return
			}
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			_, auth, _ := c.Read(r.Context())
			got <- string(auth)
			_, _, _ = c.Read(r.Context()) // until the client goes away
		}))
		defer ts.Close()
		base = ts.URL
		db, err := sql.Open("deltastream", "http://:tok@"+strings.TrimPrefix(ts.URL, "http://")+"/v2?requestTimeout=150ms")
		require.NoError(t, err)
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err = queryAll(ctx, db, "SELECT * FROM s;")
		require.Error(t, err)
		assert.False(t, errors.Is(err, context.DeadlineExceeded), err.Error())
		assert.Contains(t, err.Error(), "no metadata frame within requestTimeout 150ms")
		assert.Contains(t, <-got, "dptoken")
	})
}

func TestResilCtxEndDuringRetriesKeepsCause(t *testing.T) {
	tests := []struct {
		name   string
		match  func(*dstest.Request) bool
		status int
		run    func(ctx context.Context, db *sql.DB) error
		is     error
	}{
		{"ping on 503", isVers, 503, func(ctx context.Context, db *sql.DB) error { return db.PingContext(ctx) }, deltastream.ErrUnavailable},
		{"submit on 429", isPost, 429, func(ctx context.Context, db *sql.DB) error {
			_, err := db.ExecContext(ctx, resilSQL)
			return err
		}, nil},
		{"poll on 503", isPoll, 503, func(ctx context.Context, db *sql.DB) error {
			return queryAll(ctx, db, resilHeldSQL)
		}, deltastream.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := resilServer(t)
			db := openDB(t, srv, "retryTimeout=1h")
			installHook(srv, tc.match, always(&dstest.Fault{Status: tc.status}))
			ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			defer cancel()
			err := tc.run(ctx, db)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.status, de.HTTPStatus)
			msg := err.Error()
			assert.True(t, strings.HasPrefix(msg, "deltastream: "), msg)
			assert.Regexp(t, `after \d+ failed attempts?; the last: `, msg)
			assert.Contains(t, msg, fmt.Sprintf("HTTP %d", tc.status))
		})
	}
}

// dnsClient is a client whose every dial fails with dnsErr; it counts the
// dials.
func dnsClient(dnsErr *net.DNSError, dials *atomic.Int64) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(context.Context, string, string) (net.Conn, error) {
		dials.Add(1)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr}
	}}}
}

func TestResilDNSFailures(t *testing.T) {
	tests := []struct {
		name      string
		err       net.DNSError
		wantDials func(n int64) bool
		want      string
	}{
		{"not found fails at once", net.DNSError{Err: "no such host", Name: "api.nosuch.example", IsNotFound: true}, func(n int64) bool { return n == 1 }, "the host name does not exist"},
		{"temporary failure is retried", net.DNSError{Err: "server misbehaving", Name: "api.example.com", IsTemporary: true}, func(n int64) bool { return n > 1 }, "attempts"},
	}
	for _, tc := range tests {
		for _, op := range []string{"ping", "exec"} {
			t.Run(tc.name+"/"+op, func(t *testing.T) {
				t.Parallel()
				cfg, err := deltastream.ParseDSN("https://:tok@api.example.com/v2?retryTimeout=400ms")
				require.NoError(t, err)
				var dials atomic.Int64
				dnsErr := tc.err
				cfg.HTTPClient = dnsClient(&dnsErr, &dials)
				connector, err := deltastream.NewConnector(cfg)
				require.NoError(t, err)
				db := sql.OpenDB(connector)
				defer db.Close()
				if op == "ping" {
					err = db.Ping()
				} else {
					_, err = db.Exec("CREATE DATABASE x;")
				}
				require.Error(t, err)
				var got *net.DNSError
				assert.ErrorAs(t, err, &got)
				assert.True(t, tc.wantDials(dials.Load()), "%d dials", dials.Load())
				assert.Contains(t, err.Error(), tc.want)
			})
		}
	}
}

func TestResilConnectionBrokenAfterSubmission(t *testing.T) {
	srv, _ := resilServer(t)
	db := openDB(t, srv)
	h := installHook(srv, isPost, always(&dstest.Fault{ResetAfter: -1}))
	_, err := db.Exec(resilSQL)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "may have run")
	assert.Contains(t, err.Error(), "not sent again")
	hits, _ := h.counts()
	assert.Equal(t, 1, hits, "a statement that was sent is never sent again")
}
