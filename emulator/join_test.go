package emulator_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/deltastream-go/deltastream/emulator"
)

func TestStreamChangelogJoin(t *testing.T) {
	tests := []struct {
		name  string
		start string
		want  [][]string
	}{
		{
			name:  "INNER: the changelog row current when the stream row is processed",
			start: `CREATE STREAM enriched AS SELECT p.userid AS userid, pageid, u.regionid AS region FROM pageviews p JOIN users u ON u.userid = p.userid`,
			want:  [][]string{{"u1", "p1", "r1"}, {"u1", "p3", "r9"}},
		},
		{
			name:  "LEFT keeps unmatched stream rows",
			start: `CREATE STREAM enriched AS SELECT p.userid, pageid, regionid FROM pageviews AS p LEFT OUTER JOIN users AS u ON u.userid = p.userid`,
			want:  [][]string{{"u1", "p1", "r1"}, {"u2", "p2", "NULL"}, {"u1", "p3", "r9"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, db := start(t, emulator.Config{})
			mustExec(t, db, createPageviews, createUsers, `INSERT INTO users VALUES (0, 'u1', 'r1')`)
			startQuery(t, db, tt.start)
			mustExec(t, db, `INSERT INTO pageviews VALUES (1, 'u1', 'p1'), (2, 'u2', 'p2')`,
				`INSERT INTO users VALUES (5, 'u1', 'r9')`, // later versions do not rewrite earlier results
				`INSERT INTO pageviews VALUES (3, 'u1', 'p3')`)
			_, got := queryAll(t, db, `SELECT * FROM enriched WITH ('starting.position' = 'earliest') LIMIT `+map[bool]string{true: "3", false: "2"}[len(tt.want) == 3])
			assert.Equal(t, tt.want, got)
			_, err := db.ExecContext(context.Background(), `DROP CHANGELOG users`)
			assert.Equal(t, "2BP01", stateOf(err))
		})
	}
}

func TestJoinUnsupported(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews, createUsers, `CREATE STREAM clicks (userid VARCHAR, n INT)`)
	for _, q := range []string{
		`CREATE STREAM j AS SELECT p.userid FROM pageviews p LEFT JOIN clicks c ON p.userid = c.userid`,
		`CREATE STREAM j AS SELECT p.userid FROM pageviews p JOIN users u WITHIN 5 MINUTES ON p.userid = u.userid`,
		`CREATE STREAM j AS SELECT p.userid FROM pageviews p JOIN clicks c ON p.userid = c.userid`,
		`CREATE STREAM j AS SELECT p.userid FROM pageviews p RIGHT JOIN users u ON p.userid = u.userid`,
		`CREATE STREAM j AS SELECT u.userid FROM users u JOIN pageviews p ON p.userid = u.userid`,
		`CREATE MATERIALIZED VIEW j AS SELECT p.userid, COUNT(*) AS n FROM pageviews p JOIN users u ON p.userid = u.userid GROUP BY p.userid`,
		`SELECT p.userid FROM pageviews p JOIN users u ON p.userid = u.userid`,
	} {
		_, err := db.ExecContext(context.Background(), q)
		assert.Equal(t, "0A000", stateOf(err), "%s: %v", q, err)
	}
	_, err := db.ExecContext(context.Background(), `CREATE STREAM j AS SELECT userid FROM pageviews p JOIN users u ON p.userid = u.userid`)
	assert.Equal(t, "42702", stateOf(err), "%v", err)
}

// TestStreamStreamJoin: rows of two streams meet when ON holds and their
// event times are WITHIN the interval; each pair comes out once, when the
// later of its rows arrives, whichever stream it is on.
func TestStreamStreamJoin(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews,
		`CREATE STREAM clicks (ts BIGINT, userid VARCHAR, button VARCHAR) WITH ('timestamp' = 'ts')`,
		`INSERT INTO pageviews VALUES (1000, 'u1', 'p1')`,
		`INSERT INTO clicks VALUES (3000, 'u1', 'b0')`)
	startQuery(t, db, `CREATE STREAM j AS SELECT p.pageid, c.button FROM pageviews p WITH ('starting.position' = 'earliest') JOIN clicks c WITHIN 5 SECONDS ON p.userid = c.userid`)
	mustExec(t, db,
		`INSERT INTO clicks VALUES (5000, 'u1', 'b1'), (9000, 'u1', 'b2'), (4000, 'u2', 'b3')`, // b2 is 8 s after p1
		`INSERT INTO pageviews VALUES (8000, 'u1', 'p2')`)                                      // 5 s from b0: the bound is inclusive
	_, got := queryAll(t, db, `SELECT * FROM j WITH ('starting.position' = 'earliest') LIMIT 5`)
	assert.Equal(t, [][]string{{"p1", "b0"}, {"p1", "b1"}, {"p2", "b0"}, {"p2", "b1"}, {"p2", "b2"}}, got)
}
