package deltastream

// Regression tests for defects found in review: each failed before its fix.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rawServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.Replace(srv.URL, "http://", "http://:tok@", 1) + "/v2"
}

// rows.Close must not wait for a server that stalls in the middle of the
// partition being read.
func TestRegressionCloseDoesNotWaitForStalledBody(t *testing.T) {
	release := make(chan struct{})
	dsn := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"sqlState":"00000","statementID":"s1","metadata":{"encoding":"json","partitionInfo":[{"rowCount":1000}],"columns":[{"name":"a","type":"VARCHAR","nullable":true}]},"data":[["x"],["y"],["z"]`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	db, err := sql.Open("deltastream", dsn+"?requestTimeout=1h")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), "SELECT 1;")
	require.NoError(t, err)
	require.True(t, rows.Next())
	closed := make(chan struct{})
	go func() { rows.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second): // a guard, not a measurement
		t.Fatal("rows.Close blocked on a stalled body")
	}
}

type closeCounter struct {
	io.Reader
	closed atomic.Bool
}

func (c *closeCounter) Close() error { c.closed.Store(true); return nil }

// Attachments are closed when the statement fails before it is sent.
func TestRegressionAttachmentsClosedOnEarlyFailure(t *testing.T) {
	dsn := rawServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	cfg, err := ParseDSN(dsn)
	require.NoError(t, err)
	cfg.TokenProvider = func(context.Context) (string, error) { return "", errors.New("vault down") }
	cn, err := NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(cn)
	defer db.Close()
	const stmt = `CREATE FUNCTION_SOURCE "udf" WITH ('file' = 'udf.jar');`

	tests := []struct {
		name string
		run  func(ctx context.Context) error
	}{
		{"token provider fails", func(ctx context.Context) error { _, err := db.ExecContext(ctx, stmt); return err }},
		{"binding fails", func(ctx context.Context) error { _, err := db.ExecContext(ctx, "SELECT ?;", "a\nb"); return err }},
		{"ctx already done", func(ctx context.Context) error {
			dc, err := cn.Connect(context.Background())
			require.NoError(t, err)
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_, err = dc.(*Conn).ExecContext(cctx, stmt, nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &closeCounter{Reader: strings.NewReader("jar")}
			require.Error(t, tt.run(WithAttachment(context.Background(), "udf.jar", f)))
			assert.True(t, f.closed.Load())
		})
	}
}

// A refresh reuses only a token that replaced the very token rejected.
func TestRegressionRefreshAsksAgainForANewerRejectedToken(t *testing.T) {
	var n atomic.Int32
	ts := &tokenSource{provider: func(context.Context) (string, error) { return fmt.Sprintf("T%d", n.Add(1)), nil }}
	ctx := context.Background()
	t1, _ := ts.token(ctx)
	t2, err := ts.refresh(ctx, t1)
	require.NoError(t, err)
	again, err := ts.refresh(ctx, t1) // another request that held T1
	require.NoError(t, err)
	assert.Equal(t, t2, again, "one refresh serves every holder of the rejected token")
	t3, _ := ts.token(ctx)
	t4, err := ts.refresh(ctx, t3)
	require.NoError(t, err)
	assert.NotEqual(t, t2, t4)
	assert.Equal(t, "T4", t4)
}

// A waiter whose ctx is alive is not failed by the refresh leader's cancel.
func TestRegressionRefreshLeaderCancel(t *testing.T) {
	entered := make(chan struct{})
	var calls atomic.Int32
	ts := &tokenSource{provider: func(ctx context.Context) (string, error) {
		if calls.Add(1) == 1 {
			close(entered)
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "T2", nil
	}}
	lctx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() { _, err := ts.refresh(lctx, "old"); leader <- err }()
	<-entered
	waiter := make(chan string, 1)
	go func() { tok, _ := ts.refresh(context.Background(), "old"); waiter <- tok }()
	cancel()
	assert.ErrorIs(t, <-leader, context.Canceled)
	assert.Equal(t, "T2", <-waiter)
}

type chunkReader struct {
	n   int
	gap time.Duration
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	r.n--
	time.Sleep(r.gap) // a slow client: the upload outlasts requestTimeout
	return copy(p, strings.Repeat("x", 1024)), nil
}

// requestTimeout starts once a streamed upload is written.
func TestRegressionUploadOutlastsRequestTimeout(t *testing.T) {
	dsn := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"sqlState":"00000","statementID":"s1","metadata":{"encoding":"json","partitionInfo":[],"columns":[]}}`)
	})
	db, err := sql.Open("deltastream", dsn+"?requestTimeout=100ms")
	require.NoError(t, err)
	defer db.Close()
	ctx := WithAttachment(context.Background(), "udf.jar", &chunkReader{n: 4, gap: 60 * time.Millisecond})
	_, err = db.ExecContext(ctx, `CREATE FUNCTION_SOURCE "udf" WITH ('file' = 'udf.jar');`)
	require.NoError(t, err)
}

// A read interrupted by cancellation reports the ctx error, never a
// protocol error.
func TestRegressionPrefetchCancelError(t *testing.T) {
	dsn := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
		part := r.URL.Query().Get("partitionID")
		_, _ = fmt.Fprintf(w, `{"sqlState":"00000","statementID":"s1","metadata":{"encoding":"json","partitionInfo":[{"rowCount":2},{"rowCount":2},{"rowCount":2},{"rowCount":2}],"columns":[{"name":"a","type":"VARCHAR","nullable":true}]},"data":[["p%s-0"],["p%s-1"]]}`, part, part)
	})
	cfg, err := ParseDSN(dsn + "?prefetch=1")
	require.NoError(t, err)
	cn, err := NewConnector(cfg)
	require.NoError(t, err)
	for range 100 {
		dc, err := cn.Connect(context.Background())
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		r, err := dc.(*Conn).QueryContext(ctx, "SELECT 1;", nil)
		require.NoError(t, err)
		dest := make([]driver.Value, 1)
		for range 3 {
			require.NoError(t, r.Next(dest))
		}
		cancel()
		for err == nil {
			err = r.Next(dest)
		}
		assert.True(t, err == io.EOF || errors.Is(err, context.Canceled), "got %v", err)
		require.NoError(t, r.Close())
	}
}

// Validated configs survive FormatDSN and ParseDSN; errors hold no token.
func TestRegressionDSNEdges(t *testing.T) {
	for _, f := range []func(c *Config){
		func(c *Config) { c.Path = "" },
		func(c *Config) { c.Path = "/api/v2" },
		func(c *Config) { c.Path = "/a b" },
		func(c *Config) { c.Host = "h:8443" },
	} {
		c := NewConfig()
		c.Token = "tok"
		f(c)
		require.NoError(t, c.validate())
		p, err := ParseDSN(c.FormatDSN())
		require.NoError(t, err)
		assert.Equal(t, c.baseURL(), p.baseURL())
	}
	for _, f := range []func(c *Config){
		func(c *Config) { c.Path = "/" },
		func(c *Config) { c.Path = "/v2/" },
		func(c *Config) { c.Host = "a/b" },
		func(c *Config) { c.Host = "h?x=1" },
	} {
		c := NewConfig()
		c.Token = "tok"
		f(c)
		assert.Error(t, c.validate())
	}
	for _, dsn := range []string{"https://:1234#5678secret@host/v2", "https://:1234?x=%zzsecret@host/v2", "https://:12345?bogus=secret@host/v2"} {
		_, err := ParseDSN(dsn)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "secret")
	}
}

// A dataplane that hands out plain http to a remote host is refused.
func TestRegressionDataplanePlainHTTP(t *testing.T) {
	cfg := NewConfig()
	_, err := websocketURL(cfg, "http://dp.example.com/v2/print/1")
	require.ErrorContains(t, err, "refusing to send the dataplane token over plain http://")
	_, err = websocketURL(cfg, "wss://dp.example.com/v2/print/1")
	require.NoError(t, err)
	cfg.AllowInsecureHTTP = true
	_, err = websocketURL(cfg, "http://dp.example.com/v2/print/1")
	require.NoError(t, err)
}
