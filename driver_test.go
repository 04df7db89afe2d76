package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

func openDB(t testing.TB, srv *dstest.Server, params ...string) *sql.DB {
	t.Helper()
	dsn := srv.DSN()
	if len(params) > 0 {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + strings.Join(params, "&")
	}
	db, err := sql.Open("deltastream", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestQueryEndToEnd(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM pageviews;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).
		Rows([]any{"u1", "1"}, []any{nil, "2"}, []any{"u3", "3"}).
		PartitionSize(2)
	db := openDB(t, srv)

	rows, err := db.QueryContext(context.Background(), "SELECT * FROM pageviews;")
	require.NoError(t, err)
	defer rows.Close()
	var got []string
	for rows.Next() {
		var u sql.NullString
		var n int64
		require.NoError(t, rows.Scan(&u, &n))
		got = append(got, u.String+":"+string(rune('0'+n)))
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"u1:1", ":2", "u3:3"}, got)
}

func TestExecSessionContext(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("USE DATABASE other;").Context(dstest.Context{DatabaseName: "other"}).CommandResult("database", "other", "USE", "ok")
	srv.On("LIST SCHEMAS;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"public"})
	db := openDB(t, srv, "database=db1", "organization=acme", "role=sysadmin")
	db.SetMaxOpenConns(1)
	ctx := context.Background()

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "USE DATABASE other;")
	require.NoError(t, err)
	s, err := deltastream.CurrentSession(ctx, conn)
	require.NoError(t, err)
	assert.Equal(t, "other", s.Database)
	var name string
	require.NoError(t, conn.QueryRowContext(ctx, "LIST SCHEMAS;").Scan(&name))
	require.NoError(t, conn.Close())

	// Back in the pool: the next user starts from the DSN's database.
	require.NoError(t, db.QueryRowContext(ctx, "LIST SCHEMAS;").Scan(&name))
	subs := srv.Submissions()
	require.Len(t, subs, 3)
	assert.Equal(t, "db1", subs[0].Statement.Database)
	assert.Equal(t, "other", subs[1].Statement.Database)
	assert.Equal(t, "db1", subs[2].Statement.Database)
	assert.Equal(t, "sysadmin", subs[2].Statement.Role)
	assert.Equal(t, "UTC", subs[2].Statement.Parameters.Timezone)
}

func TestPollingAndCancel(t *testing.T) {
	srv := dstest.NewServer(t)
	gate := srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "created").Hold()
	db := openDB(t, srv)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := db.ExecContext(ctx, "CREATE STREAM s AS SELECT 1;")
		done <- err
	}()
	cancel()
	err := <-done
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.Canceled), err.Error())
	gate.Release()

	var id string
	ctx2 := deltastream.WithStatementInfo(context.Background(), func(i deltastream.StatementInfo) { id = i.ID })
	_, err = db.ExecContext(ctx2, "CREATE STREAM s AS SELECT 1;")
	require.NoError(t, err)
	assert.NotEmpty(t, id)
}

func TestSQLErrorAndPing(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("DROP STREAM nope;").Error(deltastream.StateRelationNotFound, "relation nope not found")
	db := openDB(t, srv)
	_, err := db.Exec("DROP STREAM nope;")
	require.Error(t, err)
	assert.True(t, deltastream.IsNotFound(err))
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.NotEmpty(t, de.StatementID)
	require.NoError(t, db.Ping())

	bad, err := sql.Open("deltastream", strings.Replace(srv.DSN(), srv.Token(), "wrong", 1))
	require.NoError(t, err)
	defer bad.Close()
	err = bad.Ping()
	require.Error(t, err)
	assert.ErrorIs(t, err, deltastream.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong")
	_ = http.StatusOK
	_ = io.EOF
	_ = time.Second
}
