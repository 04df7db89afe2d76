package deltastream_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The README's code blocks are copies of the code in this file (see
// readme_test.go), so that each of them compiles and runs.

// quickStart is the README's quick start.
func quickStart(ctx context.Context, dsn string) error {
	// dsn is e.g. "https://:" + token + "@api.deltastream.io/v2?organization=acme&database=analytics&schema=public"
	db, err := sql.Open("deltastream", dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	if err := db.PingContext(ctx); err != nil { // checks the endpoint and the token
		return err
	}

	rows, err := db.QueryContext(ctx, "SELECT userid, COUNT(*) AS n FROM pageviews_mv GROUP BY userid;")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var user string
		var n int64
		if err := rows.Scan(&user, &n); err != nil {
			return err
		}
		fmt.Println(user, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}

	// DDL and commands run with Exec.
	_, err = db.ExecContext(ctx, `CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR)
	WITH ('topic' = 'pageviews', 'value.format' = 'json');`)
	if deltastream.IsAlreadyExists(err) {
		err = nil // idempotent create
	}
	return err
}

// Run the README's quick start against a fake DeltaStream.
func Example_quickStart() {
	srv := newExampleServer()
	defer srv.Close()
	srv.On("SELECT userid, COUNT(*) AS n FROM pageviews_mv GROUP BY userid;").
		Columns(dstest.NotNullCol("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).
		Rows([]any{"alice", "3"}, []any{"bob", "5"})
	srv.OnMatch(func(q string) bool { return strings.HasPrefix(q, "CREATE STREAM pageviews") }).
		Error(deltastream.StateDuplicateRelation, `relation "pageviews" already exists`)

	if err := quickStart(context.Background(), srv.DSN()+"?organization=acme&database=analytics&schema=public"); err != nil {
		log.Fatal(err)
	}
	// Output:
	// alice 3
	// bob 5
}

// countsByUser is the code under test of TestReport.
func countsByUser(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, "SELECT userid, n FROM counts;")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var user string
		var n int64
		if err := rows.Scan(&user, &n); err != nil {
			return nil, err
		}
		counts[user] = n
	}
	return counts, rows.Err()
}

// TestReport is the README's dstest example.
func TestReport(t *testing.T) {
	srv := dstest.NewServer(t) // closed when the test ends
	srv.On("SELECT userid, n FROM counts;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).
		Rows([]any{"alice", "3"}, []any{"bob", "5"}).
		PartitionSize(1) // one row per partition: exercises paging

	db, err := sql.Open("deltastream", srv.DSN()+"?database=analytics")
	require.NoError(t, err)
	defer db.Close()

	got, err := countsByUser(context.Background(), db) // the code under test
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"alice": 3, "bob": 5}, got)

	subs := srv.Submissions() // what the server received: statement text, context, attachments
	assert.Equal(t, "analytics", subs[0].Statement.Database)
}
