package emulator_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// startQuery runs a statement that starts a persistent query and returns
// the query id from its `query` row.
func startQuery(t testing.TB, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, stmt string) string {
	t.Helper()
	_, rows := queryAll(t, db, stmt)
	for _, r := range rows {
		if r[0] == "query" {
			return r[1]
		}
	}
	t.Fatalf("%s: no query row in %v", stmt, rows)
	return ""
}

const createUsers = `CREATE CHANGELOG users (registertime BIGINT, userid VARCHAR, regionid VARCHAR, PRIMARY KEY (userid))`

func TestPersistentQueries(t *testing.T) {
	tests := []struct {
		name  string
		setup []string
		start string
		after []string
		query string
		want  [][]string
	}{
		{
			name:  "CSAS filter from earliest catches up and keeps moving",
			setup: []string{`INSERT INTO pageviews VALUES (1, 'u1', 'p1'), (2, 'u2', 'p2')`},
			start: `CREATE STREAM pv2 AS SELECT userid, pageid FROM pageviews WITH ('starting.position' = 'earliest') WHERE userid <> 'u2'`,
			after: []string{`INSERT INTO pageviews VALUES (3, 'u3', 'p3'), (4, 'u2', 'p4')`},
			query: `SELECT userid, pageid FROM pv2 WITH ('starting.position' = 'earliest') LIMIT 2`,
			want:  [][]string{{"u1", "p1"}, {"u3", "p3"}},
		},
		{
			name:  "CSAS from latest skips rows already there",
			setup: []string{`INSERT INTO pageviews VALUES (1, 'u1', 'p1')`},
			start: `CREATE STREAM pv2 AS SELECT pageid FROM pageviews`,
			after: []string{`INSERT INTO pageviews VALUES (2, 'u2', 'p2')`},
			query: `SELECT pageid FROM pv2 WITH ('starting.position' = 'earliest') LIMIT 1`,
			want:  [][]string{{"p2"}},
		},
		{
			name:  "INSERT INTO SELECT appends to an existing stream",
			setup: []string{`CREATE STREAM copy (viewtime BIGINT, userid VARCHAR, pageid VARCHAR)`},
			start: `INSERT INTO copy SELECT * FROM pageviews`,
			after: []string{`INSERT INTO pageviews VALUES (7, 'u7', 'p7')`},
			query: `SELECT * FROM copy WITH ('starting.position' = 'earliest') LIMIT 1`,
			want:  [][]string{{"7", "u7", "p7"}},
		},
		{
			name:  "CCAS counts per user, upserted",
			setup: []string{`INSERT INTO pageviews VALUES (1, 'u1', 'p1'), (2, 'u2', 'p2')`},
			start: `CREATE CHANGELOG counts AS SELECT userid, COUNT(*) AS n, SUM(viewtime) AS s, MIN(pageid) AS lo, MAX(viewtime) AS hi, AVG(viewtime) AS a FROM pageviews WITH ('starting.position' = 'earliest') GROUP BY userid`,
			after: []string{`INSERT INTO pageviews VALUES (3, 'u1', 'p0')`},
			query: `SELECT * FROM counts ORDER BY userid`,
			want:  [][]string{{"u1", "2", "4", "p0", "3", "2"}, {"u2", "1", "2", "p2", "2", "2"}},
		},
		{
			name:  "CMV counts per user",
			setup: []string{`INSERT INTO pageviews VALUES (1, 'u1', 'p1')`},
			start: `CREATE MATERIALIZED VIEW views AS SELECT userid, COUNT(*) AS n FROM pageviews WITH ('starting.position' = 'earliest') GROUP BY userid`,
			after: []string{`INSERT INTO pageviews VALUES (2, 'u1', 'p1'), (3, 'u2', 'p1')`},
			query: `SELECT * FROM views ORDER BY userid`,
			want:  [][]string{{"u1", "2"}, {"u2", "1"}},
		},
		{
			name:  "CMV aggregating a changelog follows its current state",
			setup: []string{createUsers, `INSERT INTO users VALUES (1, 'u1', 'r1'), (2, 'u2', 'r1')`},
			start: `CREATE MATERIALIZED VIEW regions AS SELECT regionid, COUNT(*) AS n FROM users GROUP BY regionid`,
			after: []string{`INSERT INTO users VALUES (3, 'u1', 'r2')`, `INSERT INTO users VALUES (4, 'u2', 'r2')`},
			query: `SELECT * FROM regions`,
			want:  [][]string{{"r2", "2"}},
		},
		{
			name:  "CCAS over a changelog keeps its key",
			setup: []string{createUsers, `INSERT INTO users VALUES (1, 'u1', 'r1')`},
			start: `CREATE CHANGELOG regions AS SELECT userid, regionid FROM users WITH ('starting.position' = 'earliest')`,
			after: []string{`INSERT INTO users VALUES (2, 'u1', 'r2'), (3, 'u2', 'r3')`},
			query: `SELECT * FROM regions ORDER BY userid`,
			want:  [][]string{{"u1", "r2"}, {"u2", "r3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, db := start(t, emulator.Config{})
			mustExec(t, db, createPageviews)
			mustExec(t, db, tt.setup...)
			id := startQuery(t, db, tt.start)
			mustExec(t, db, tt.after...)
			_, got := queryAll(t, db, tt.query)
			assert.Equal(t, tt.want, got)
			_, qs := queryAll(t, db, `SELECT id, current_state FROM deltastream.sys."queries"`)
			assert.Equal(t, [][]string{{id, "running"}}, qs)
		})
	}
}

func TestQueryLifecycle(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	mustExec(t, db, createPageviews)
	id := startQuery(t, db, `CREATE STREAM pv2 AS SELECT pageid FROM pageviews`)

	_, err := db.ExecContext(ctx, `DROP STREAM pageviews`)
	assert.Equal(t, "2BP01", stateOf(err), "%v", err)
	_, err = db.ExecContext(ctx, `DROP STREAM pv2`)
	assert.Equal(t, "2BP01", stateOf(err), "%v", err)

	_, list := queryAll(t, db, `LIST QUERIES`)
	require.Len(t, list, 1)
	assert.Equal(t, []string{id, "running", "running"}, []string{list[0][0], list[0][3], list[0][4]})
	_, desc := queryAll(t, db, `DESCRIBE QUERY `+id)
	assert.Equal(t, []string{id, "running"}, desc[0][:2])
	assert.Equal(t, `"db"."public"."pv2"`, desc[0][5])

	mustExec(t, db, `INSERT INTO pageviews VALUES (1, 'u', 'p1')`, `TERMINATE QUERY `+id,
		`INSERT INTO pageviews VALUES (2, 'u', 'p2')`)
	_, qs := queryAll(t, db, `SELECT current_state FROM deltastream.sys."queries" WHERE id = '`+id+`'`)
	assert.Equal(t, [][]string{{"terminated"}}, qs)
	_, got := queryAll(t, db, `SELECT pageid FROM pv2 WITH ('starting.position' = 'earliest') LIMIT 1`)
	assert.Equal(t, [][]string{{"p1"}}, got)

	mustExec(t, db, "-- resume\n/* from p2 */ RESTART QUERY "+id+";", `INSERT INTO pageviews VALUES (3, 'u', 'p3')`)
	_, got = queryAll(t, db, `SELECT pageid FROM pv2 WITH ('starting.position' = 'earliest') LIMIT 3`)
	assert.Equal(t, [][]string{{"p1"}, {"p2"}, {"p3"}}, got)

	_, err = db.ExecContext(ctx, `TERMINATE QUERY 00000000-0000-0000-0000-000000000000`)
	assert.Equal(t, "3D019", stateOf(err))
	mustExec(t, db, `TERMINATE QUERY `+id, `DROP STREAM pv2`, `DROP STREAM pageviews`)
}

func TestPersistentQueryUnsupported(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	startQuery(t, db, `CREATE STREAM loop AS SELECT * FROM pageviews`)
	for _, q := range []string{
		`CREATE STREAM s2 AS SELECT userid, COUNT(*) AS n FROM pageviews GROUP BY userid`,
		`CREATE CHANGELOG c2 AS SELECT userid FROM pageviews`,
		`CREATE STREAM s2 AS SELECT * FROM pageviews ORDER BY viewtime`,
		`CREATE STREAM s2 AS SELECT * FROM pageviews LIMIT 3`,
		`CREATE CHANGELOG c2 AS SELECT COUNT(*) AS n FROM pageviews`,
		`INSERT INTO pageviews SELECT * FROM pageviews`,
		`INSERT INTO pageviews SELECT * FROM loop`,
	} {
		_, err := db.ExecContext(context.Background(), q)
		assert.Equal(t, "0A000", stateOf(err), "%s: %v", q, err)
	}
}

// TestQueryErrored: a query that cannot run is marked errored with its
// message, and the statement that ran it still succeeds.
func TestQueryErrored(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	id := startQuery(t, db, `CREATE STREAM pv2 AS SELECT pageid FROM pageviews`)
	mustExec(t, db, `TERMINATE QUERY `+id, `DROP STREAM pv2`,
		`INSERT INTO pageviews VALUES (1, 'u', 'p1')`,
		`RESTART QUERY `+id)
	_, qs := queryAll(t, db, `SELECT current_state, error_message FROM deltastream.sys."queries"`)
	assert.Equal(t, [][]string{{"errored", "its sink was dropped"}}, qs)
	_, list := queryAll(t, db, `LIST QUERIES`)
	assert.Equal(t, []string{"running", "errored"}, list[0][3:5])
	_, desc := queryAll(t, db, `DESCRIBE QUERY `+id)
	assert.Equal(t, []string{"errored", "its sink was dropped"}, desc[0][1:3])
	mustExec(t, db, `DROP STREAM pageviews`) // an errored query holds nothing
}

// TestQueryRestartPersistent: a query of a --data emulator resumes after
// a restart where it stopped, nothing lost or repeated.
func TestQueryRestartPersistent(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emu.db")
	emu, db := startFile(t, file)
	mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1, 'u', 'p1')`)
	startQuery(t, db, `CREATE STREAM pv2 AS SELECT pageid FROM pageviews WITH ('starting.position' = 'earliest')`)
	mustExec(t, db, `INSERT INTO pageviews VALUES (2, 'u', 'p2')`)
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())

	emu, db = startFile(t, file)
	defer func() {
		require.NoError(t, db.Close())
		require.NoError(t, emu.Close())
	}()
	mustExec(t, db, `INSERT INTO pageviews VALUES (3, 'u', 'p3')`)
	_, got := queryAll(t, db, `SELECT pageid FROM pv2 WITH ('starting.position' = 'earliest') LIMIT 3`)
	assert.Equal(t, [][]string{{"p1"}, {"p2"}, {"p3"}}, got)
}

func TestWindows(t *testing.T) {
	tests := []struct {
		name  string
		start string
		want  [][]string
	}{
		{
			name:  "TUMBLE into a view, upserted",
			start: `CREATE MATERIALIZED VIEW w AS SELECT window_start, window_end, userid, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 10 SECOND) GROUP BY window_start, window_end, userid`,
			want: [][]string{
				{"1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z", "u1", "2"},
				{"1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z", "u2", "1"},
				{"1970-01-01T00:00:10Z", "1970-01-01T00:00:20Z", "u1", "1"},
			},
		},
		{
			name:  "HOP into a changelog",
			start: `CREATE CHANGELOG w AS SELECT window_start, window_end, COUNT(*) AS n FROM HOP(pageviews, SIZE 10 SECOND, ADVANCE BY 5 SECOND) WITH ('starting.position' = 'earliest') GROUP BY window_start, window_end`,
			want: [][]string{
				{"1969-12-31T23:59:55Z", "1970-01-01T00:00:05Z", "1"},
				{"1970-01-01T00:00:00Z", "1970-01-01T00:00:10Z", "3"},
				{"1970-01-01T00:00:05Z", "1970-01-01T00:00:15Z", "3"},
				{"1970-01-01T00:00:10Z", "1970-01-01T00:00:20Z", "1"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, db := start(t, emulator.Config{})
			mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1000, 'u1', 'p'), (9000, 'u2', 'p')`)
			startQuery(t, db, tt.start)
			mustExec(t, db, `INSERT INTO pageviews VALUES (12000, 'u1', 'p'), (8000, 'u1', 'p')`) // 8000 is late: still counted
			_, got := queryAll(t, db, `SELECT * FROM w ORDER BY window_start`+map[bool]string{true: ", userid", false: ""}[strings.Contains(tt.start, "userid")])
			assert.Equal(t, tt.want, got)
		})
	}
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	mustExec(t, db, createUsers)
	_, err := db.ExecContext(context.Background(), `CREATE MATERIALIZED VIEW w AS SELECT window_start, window_end, COUNT(*) AS n FROM TUMBLE(users, SIZE 1 MINUTE) GROUP BY window_start, window_end`)
	assert.Equal(t, "0A000", stateOf(err))
}
