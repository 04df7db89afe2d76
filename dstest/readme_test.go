package dstest_test

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

// TestReadme keeps the README's dstest snippet honest: its body must be
// the body of readmeTestReport below, which runs through the driver in the
// service's key order (with DS_GOLDEN_ALPHA=1 until the driver's decoder
// accepts that order).
func TestReadme(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("readme_test.go")
	require.NoError(t, err)
	section, ok := strings.CutPrefix(string(readme)[strings.Index(string(readme), "## Testing with dstest"):], "## Testing with dstest")
	require.True(t, ok, "README has a Testing with dstest section")
	want := body(t, section, "func TestReport(t *testing.T) {\n")
	got := body(t, string(src), "func readmeTestReport(t *testing.T) {\n")
	assert.Equal(t, want, got, "the README snippet and readmeTestReport differ")

	if os.Getenv("DS_GOLDEN_ALPHA") == "1" {
		readmeTestReport(t)
	}
}

// body returns the text after head up to the closing "\n}\n".
func body(t *testing.T, s, head string) string {
	t.Helper()
	i := strings.Index(s, head)
	require.GreaterOrEqual(t, i, 0, "%q not found", head)
	s = s[i+len(head):]
	j := strings.Index(s, "\n}\n")
	require.GreaterOrEqual(t, j, 0)
	return s[:j]
}

func readmeTestReport(t *testing.T) {
	srv := dstest.NewServer(t) // closed when the test ends
	srv.On("SELECT userid, n FROM counts;").
		Columns(dstest.Col("userid", "VARCHAR"), dstest.NotNullCol("n", "BIGINT")).
		Rows([]any{"alice", "3"}, []any{"bob", "5"}).
		PartitionSize(1) // one row per partition: exercises paging
	srv.On("CREATE DATABASE x;").Error("42P04", `database "x" already exists`)

	db, err := sql.Open("deltastream", srv.DSN()+"?database=analytics")
	require.NoError(t, err)
	defer db.Close()

	// The code under test would run here; this one reads the counts.
	rows, err := db.Query("SELECT userid, n FROM counts;")
	require.NoError(t, err)
	defer rows.Close()
	total := int64(0)
	for rows.Next() {
		var user string
		var n int64
		require.NoError(t, rows.Scan(&user, &n))
		total += n
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, int64(8), total)

	subs := srv.Submissions() // what the server received: statement text, context, attachments
	assert.Equal(t, "analytics", subs[0].Statement.Database)
}
