package deltastream_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

func TestAttachments(t *testing.T) {
	srv := dstest.NewServer(t)
	const stmt = `CREATE FUNCTION_SOURCE "udf" WITH ('file' = 'udf.jar');`
	srv.On(stmt).CommandResult("function_source", "udf", "CREATE", "created")
	db := openDB(t, srv)

	jar := make([]byte, 3<<20)
	_, _ = rand.Read(jar)
	r := &closeCounter{Reader: bytes.NewReader(jar)}
	parent := deltastream.WithAttachment(context.Background(), "udf.jar", r)
	child := deltastream.WithAttachment(parent, `key "1".pem`, strings.NewReader("-----BEGIN KEY-----\nabc\n"))

	_, err := db.ExecContext(child, stmt)
	require.NoError(t, err)
	subs := srv.Submissions()
	require.Len(t, subs, 1)
	require.Len(t, subs[0].Attachments, 2)
	assert.Equal(t, "udf.jar", subs[0].Attachments[0].Name)
	assert.True(t, bytes.Equal(jar, subs[0].Attachments[0].Data), "jar arrives intact")
	assert.Equal(t, `key "1".pem`, subs[0].Attachments[1].Name)
	assert.Equal(t, int32(1), r.closed.Load(), "io.Closer readers are closed")

	// The parent context still holds only its own attachment.
	_, err = db.ExecContext(parent, stmt)
	require.NoError(t, err)
	subs = srv.Submissions()
	require.Len(t, subs, 2)
	require.Len(t, subs[1].Attachments, 1)
	assert.Equal(t, "udf.jar", subs[1].Attachments[0].Name)
}

func TestDownload(t *testing.T) {
	srv := dstest.NewServer(t)
	orgID := dstest.OrganizationID("acme")
	srv.AddDownload("function_source", orgID, "udf", []byte("jar bytes"))
	srv.AddDownload("descriptor_source", orgID, "desc", []byte("descriptor"))
	srv.On("LIST FUNCTION_SOURCES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"udf"})
	db := openDB(t, srv, "organization=acme")
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()

	_, err = deltastream.DownloadFunctionSource(ctx, conn, "udf")
	require.ErrorContains(t, err, "run any statement on this connection first")

	_, err = conn.ExecContext(ctx, "LIST FUNCTION_SOURCES;")
	require.NoError(t, err)
	for kind, want := range map[string]string{"function": "jar bytes", "descriptor": "descriptor"} {
		var rc io.ReadCloser
		if kind == "function" {
			rc, err = deltastream.DownloadFunctionSource(ctx, conn, "udf")
		} else {
			rc, err = deltastream.DownloadDescriptorSource(ctx, conn, "desc")
		}
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		assert.Equal(t, want, string(b))
	}
	_, err = deltastream.DownloadFunctionSource(ctx, conn, "missing")
	require.Error(t, err)
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, http.StatusNotFound, de.HTTPStatus)
}

func TestBatchExecReportsFailingPosition(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("CREATE DATABASE a;").CommandResult("database", "a", "CREATE", "ok")
	srv.On("CREATE DATABASE b;").Error(deltastream.StateDuplicateDatabase, `database "b" already exists`)
	srv.On("CREATE DATABASE c;").CommandResult("database", "c", "CREATE", "ok")
	db := openDB(t, srv)

	var ids []string
	ctx := deltastream.WithStatementInfo(context.Background(), func(i deltastream.StatementInfo) { ids = append(ids, i.ID) })
	_, err := db.ExecContext(ctx, "CREATE DATABASE a; CREATE DATABASE b; CREATE DATABASE c;")
	require.Error(t, err)
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 2, de.Position)
	assert.True(t, deltastream.IsAlreadyExists(err))
	assert.Contains(t, err.Error(), "statement 2 of batch")
	assert.Len(t, ids, 2, "both statements the service ran are reported, the failing one too")
	assert.Equal(t, deltastream.StatementIDOf(err), ids[1])

	_, err = db.ExecContext(ctx, "CREATE DATABASE a; CREATE DATABASE c;")
	require.NoError(t, err)
}

func TestUnsupportedAndResult(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("INSERT INTO s SELECT * FROM t;").CommandResult("query", "q1", "INSERT", "started")
	db := openDB(t, srv)
	_, err := db.Begin()
	require.ErrorIs(t, err, deltastream.ErrTransactionsNotSupported)

	res, err := db.Exec("INSERT INTO s SELECT * FROM t;")
	require.NoError(t, err)
	_, err = res.RowsAffected()
	assert.ErrorIs(t, err, deltastream.ErrNotReported)
	_, err = res.LastInsertId()
	assert.ErrorIs(t, err, deltastream.ErrNotReported)
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   string
		is     error
	}{
		{"400 with sqlState", 400, `{"message":"syntax error","sqlState":"42601","traceID":"tr-1"}`, "syntax error [sqlState 42601, HTTP 400, trace tr-1]", nil},
		{"403", 403, `{"message":"token expired"}`, "check the API token", deltastream.ErrUnauthorized},
		{"408", 408, `{"message":"gave up"}`, "gave up", deltastream.ErrTimeout},
		{"500 html", 500, "<html><title>oops</title></html>", "HTML page oops", nil},
		{"500 empty", 500, "", "HTTP 500 Internal Server Error", nil},
		{"500 truncated json", 500, `{"message":"abc`, `{"message":"abc`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			srv.On("SELECT 1;").HTTPError(tt.status, tt.body)
			db := openDB(t, srv)
			_, err := db.Exec("SELECT 1;")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.status, de.HTTPStatus)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Equal(t, 1, srv.Submitted("SELECT 1;"), "a POST is never repeated after an answer")
		})
	}
}

func TestDeadlineWhilePolling(t *testing.T) {
	srv := dstest.NewServer(t)
	gate := srv.On("SELECT * FROM slow;").Columns(dstest.Col("a", "INTEGER")).Hold()
	defer gate.Release()
	db := openDB(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := db.QueryContext(ctx, "SELECT * FROM slow;")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotEmpty(t, deltastream.StatementIDOf(err))
	assert.Contains(t, err.Error(), deltastream.StatementIDOf(err))
}

func TestPrepareIsClientSide(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM t WHERE a =  1 ;").Columns(dstest.Col("a", "INTEGER")).Rows([]any{"1"})
	db := openDB(t, srv)
	stmt, err := db.Prepare("SELECT * FROM t WHERE a = ?;")
	require.NoError(t, err)
	defer stmt.Close()
	assert.Empty(t, srv.Requests(), "Prepare costs no network")
	_, err = stmt.Exec()
	require.ErrorContains(t, err, "expected 1 arguments, got 0")
	var a int
	require.NoError(t, stmt.QueryRow(1).Scan(&a))
	assert.Equal(t, 1, a)
}

func TestConnectorConfig(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{"1"})
	cfg, err := deltastream.ParseDSN(srv.DSN())
	require.NoError(t, err)
	var calls atomic.Int32
	tok := cfg.Token
	cfg.Token = ""
	cfg.TokenProvider = func(context.Context) (string, error) { calls.Add(1); return tok, nil }
	cfg.UserAgent = "my-tool/1.2"
	c, err := deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	defer db.Close()
	var x int
	require.NoError(t, db.QueryRow("SELECT 1;").Scan(&x))
	assert.GreaterOrEqual(t, calls.Load(), int32(1))
	ua := srv.Requests()[0].Header.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "deltastream-go/"), ua)
	assert.True(t, strings.HasSuffix(ua, " my-tool/1.2"), ua)

	cfg.TokenProvider = func(context.Context) (string, error) { return "", errors.New("vault sealed") }
	c, err = deltastream.NewConnector(cfg)
	require.NoError(t, err)
	db2 := sql.OpenDB(c)
	defer db2.Close()
	require.ErrorContains(t, db2.Ping(), "token provider: vault sealed")
}

func TestNewConnectorNil(t *testing.T) {
	_, err := deltastream.NewConnector(nil)
	require.ErrorContains(t, err, "nil Config")
}
