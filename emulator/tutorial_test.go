package emulator_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// TestTutorial runs DeltaStream's pageviews/users tutorial through the
// driver, checking every step (the runnable version is
// Example_streamingTutorial).
func TestTutorial(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	mustExec(t, db,
		`CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('topic' = 'pageviews', 'value.format' = 'json', 'timestamp' = 'viewtime')`,
		`CREATE CHANGELOG users (registertime BIGINT, userid VARCHAR, regionid VARCHAR, gender VARCHAR, PRIMARY KEY (userid)) WITH ('topic' = 'users', 'value.format' = 'json')`,
		`INSERT INTO users VALUES (1, 'User_1', 'Region_1', 'FEMALE'), (2, 'User_2', 'Region_2', 'MALE')`,
		`INSERT INTO pageviews VALUES (1000, 'User_1', 'Page_10'), (2000, 'User_2', 'Page_20')`)

	live, err := db.QueryContext(ctx, `SELECT pageid FROM pageviews WITH ('starting.position' = 'earliest')`)
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"Page_10"}, {"Page_20"}}, readN(t, live, 2))
	require.NoError(t, live.Close())

	enrich := startQuery(t, db, `CREATE STREAM csas_enriched_pv AS SELECT p.userid AS userid, pageid, regionid FROM pageviews p WITH ('starting.position' = 'earliest') JOIN users u ON u.userid = p.userid`)
	count := startQuery(t, db, `CREATE MATERIALIZED VIEW user_view_count AS SELECT window_start, userid, COUNT(*) AS view_count FROM TUMBLE(pageviews, SIZE 30 SECONDS) WITH ('starting.position' = 'earliest') GROUP BY window_start, window_end, userid`)
	_, err = db.ExecContext(ctx, `CREATE MATERIALIZED VIEW bad AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 30 SECONDS) GROUP BY window_start, window_end, userid`)
	assert.Equal(t, "0A000", stateOf(err), "userid is grouped but not selected: no key to upsert by")

	// A reader of the enriched stream sees the rows the query writes.
	enriched, err := db.QueryContext(ctx, `SELECT * FROM csas_enriched_pv`)
	require.NoError(t, err)
	mustExec(t, db, `INSERT INTO pageviews VALUES (31000, 'User_2', 'Page_21')`)
	assert.Equal(t, [][]string{{"User_2", "Page_21", "Region_2"}}, readN(t, enriched, 1))
	require.NoError(t, enriched.Close())

	_, got := queryAll(t, db, `SELECT * FROM user_view_count ORDER BY window_start, userid`)
	assert.Equal(t, [][]string{
		{"1970-01-01T00:00:00Z", "User_1", "1"},
		{"1970-01-01T00:00:00Z", "User_2", "1"},
		{"1970-01-01T00:00:30Z", "User_2", "1"},
	}, got)

	_, list := queryAll(t, db, `LIST QUERIES`)
	require.Len(t, list, 2)
	assert.Equal(t, []string{enrich, count}, []string{list[0][0], list[1][0]})
	assert.Contains(t, list[0][5], "CREATE STREAM csas_enriched_pv AS")

	_, err = db.ExecContext(ctx, `DROP CHANGELOG users`)
	assert.Equal(t, "2BP01", stateOf(err))
	mustExec(t, db, `TERMINATE QUERY `+enrich,
		`DROP STREAM csas_enriched_pv`, `DROP CHANGELOG users`,
		`DROP MATERIALIZED VIEW user_view_count`, `DROP STREAM pageviews`)
	_, qs := queryAll(t, db, `SELECT current_state FROM deltastream.sys."queries" ORDER BY created_at`)
	assert.Equal(t, [][]string{{"terminated"}, {"terminated"}}, qs)
}

// TestConcurrentQueries: several queries on one source, and a query
// reading another's sink, all move every row in one statement.
func TestConcurrentQueries(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	startQuery(t, db, `CREATE STREAM a AS SELECT userid, pageid FROM pageviews WHERE pageid = 'p1'`)
	startQuery(t, db, `CREATE STREAM b AS SELECT userid FROM a`)
	startQuery(t, db, `CREATE CHANGELOG c AS SELECT userid, COUNT(*) AS n FROM b GROUP BY userid`)
	startQuery(t, db, `CREATE MATERIALIZED VIEW d AS SELECT pageid, COUNT(*) AS n FROM pageviews GROUP BY pageid`)
	mustExec(t, db, `INSERT INTO pageviews VALUES (1, 'u1', 'p1'), (2, 'u2', 'p2'), (3, 'u1', 'p1')`)
	_, got := queryAll(t, db, `SELECT * FROM c`)
	assert.Equal(t, [][]string{{"u1", "2"}}, got)
	_, got = queryAll(t, db, `SELECT * FROM d ORDER BY pageid`)
	assert.Equal(t, [][]string{{"p1", "2"}, {"p2", "1"}}, got)
}
