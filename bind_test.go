package deltastream_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// lastStatement returns the text of the last statement the server received.
func lastStatement(t *testing.T, srv *dstest.Server) string {
	t.Helper()
	subs := srv.Submissions()
	require.NotEmpty(t, subs)
	return subs[len(subs)-1].Statement.Statement
}

type celsius float64

func TestBindingSentText(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.OnMatch(func(string) bool { return true }).CommandResult("query", "q", "INSERT", "ok")
	db := openDB(t, srv)
	ts := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.FixedZone("x", 3600))
	id := uuid.MustParse("0b7a3c1e-9f2d-4c3b-8a5e-1d2c3b4a5f60")
	var nilPtr *string
	tests := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"no args sent byte for byte", "SELECT  '?' , $1, @x FROM t -- ?\n;", nil, "SELECT  '?' , $1, @x FROM t -- ?\n;"},
		{"positional", "INSERT INTO t VALUES (?, ?, ?, ?);", []any{int64(-1), "it's", true, nil},
			"INSERT INTO t VALUES ( -1 ,  'it''s' ,  TRUE ,  NULL );"},
		{"numbered reused", "SELECT $1 + $1, $2;", []any{3, "a"}, "SELECT  3  +  3 ,  'a' ;"},
		{"named", "SELECT @a, @b, @a;", []any{sql.Named("a", 1.5), sql.Named("b", []byte{0xde, 0xad})},
			"SELECT  1.5E0 ,  X'dead' ,  1.5E0 ;"},
		{"minus minus cannot become a comment", "SELECT 1-?;", []any{-1}, "SELECT 1- -1 ;"},
		{"placeholders in quotes and comments are text", `SELECT "a?", '$1', ? /* ? */ FROM t;`, []any{7},
			`SELECT "a?", '$1',  7  /* ? */ FROM t;`},
		{"time in UTC", "SELECT ?;", []any{ts}, "SELECT  TIMESTAMP '2024-02-29 22:59:58.123456789' ;"},
		{"uuid via Valuer", "SELECT ?;", []any{id}, "SELECT  '0b7a3c1e-9f2d-4c3b-8a5e-1d2c3b4a5f60' ;"},
		{"sql.Null", "SELECT ?, ?;", []any{sql.NullString{}, sql.NullInt64{Int64: 4, Valid: true}}, "SELECT  NULL ,  4 ;"},
		{"nil pointer", "SELECT ?;", []any{nilPtr}, "SELECT  NULL ;"},
		{"named basic type", "SELECT ?;", []any{celsius(21.5)}, "SELECT  2.15E1 ;"},
		{"json.RawMessage", "SELECT ?;", []any{json.RawMessage(`{"k":"v"}`)}, `SELECT  '{"k":"v"}' ;`},
		{"uint64", "SELECT ?;", []any{uint64(math.MaxUint64)}, "SELECT  18446744073709551615 ;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Exec(tt.query, tt.args...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, lastStatement(t, srv))
		})
	}
}

func TestBindingErrors(t *testing.T) {
	srv := dstest.NewServer(t)
	db := openDB(t, srv)
	tests := []struct {
		name  string
		query string
		args  []any
		want  string
	}{
		{"line break points to attachments", "SELECT ?;", []any{"a\nb"}, "WithAttachment"},
		{"NaN", "SELECT ?;", []any{math.NaN()}, "NaN"},
		{"unsupported type names position and type", "SELECT ?, ?;", []any{1, map[string]int{}}, "map[string]int"},
		{"mixed styles", "SELECT ?, $1;", []any{1, 2}, "mix"},
		{"wrong count", "SELECT ?, ?;", []any{1}, "statement has 2 ? placeholders but 1 argument was given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Exec(tt.query, tt.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	assert.Empty(t, srv.Submissions(), "nothing is sent when binding fails")
}

func TestPreparedConcurrent(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.OnMatch(func(string) bool { return true }).Columns(dstest.Col("n", "INTEGER")).Rows([]any{"1"})
	db := openDB(t, srv)
	stmt, err := db.Prepare("SELECT n FROM t WHERE id = $1 AND name = $2;")
	require.NoError(t, err)
	defer stmt.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				var n int
				assert.NoError(t, stmt.QueryRowContext(context.Background(), g*100+i, "x").Scan(&n))
			}
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Submissions(), 80)
}

func TestSQLXBinding(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.OnMatch(func(string) bool { return true }).
		Columns(dstest.Col("id", "BIGINT"), dstest.Col("name", "VARCHAR")).
		Rows([]any{"1", "a"})
	db, err := sqlx.Open("deltastream", srv.DSN())
	require.NoError(t, err)
	defer db.Close()
	// sqlx does not know the driver: Rebind keeps ?, which is ours.
	assert.Equal(t, "SELECT ?, ?;", db.Rebind("SELECT ?, ?;"))

	q, args, err := sqlx.In("SELECT * FROM t WHERE id IN (?) AND name = ?;", []int{1, 2, 3}, "o'k")
	require.NoError(t, err)
	var got []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	require.NoError(t, db.Select(&got, db.Rebind(q), args...))
	assert.Equal(t, "SELECT * FROM t WHERE id IN ( 1 ,  2 ,  3 ) AND name =  'o''k' ;", lastStatement(t, srv))
	require.Len(t, got, 1)

	type arg struct {
		ID   int    `db:"id"`
		Name string `db:"name"`
	}
	_, err = db.NamedExec("INSERT INTO t VALUES (:id, :name);", arg{ID: 9, Name: "nine"})
	require.NoError(t, err)
	assert.Equal(t, "INSERT INTO t VALUES ( 9 ,  'nine' );", lastStatement(t, srv))

	nq, nargs, err := sqlx.Named("SELECT * FROM t WHERE id = :id;", arg{ID: 5})
	require.NoError(t, err)
	require.NoError(t, db.Select(&got, nq, nargs...))
	assert.Equal(t, "SELECT * FROM t WHERE id =  5 ;", lastStatement(t, srv))
}

func TestQuoteHelpers(t *testing.T) {
	assert.Equal(t, `"My ""odd"" name"`, deltastream.QuoteIdentifier(`My "odd" name`))
	s, err := deltastream.QuoteString("it's")
	require.NoError(t, err)
	assert.Equal(t, `'it''s'`, s)
	_, err = deltastream.QuoteString("two\nlines")
	assert.Error(t, err)
}
