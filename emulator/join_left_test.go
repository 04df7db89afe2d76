package emulator_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

const createClicks = `CREATE STREAM clicks (ts BIGINT, userid VARCHAR, button VARCHAR) WITH ('timestamp' = 'ts')`

// TestStreamStreamLeftJoin: pairs come out as they are found; a left row
// without a match comes out padded with NULLs once the watermark passes
// its time plus the WITHIN bound, and then never gets a match; a late
// left row is decided at once. The padded rows and the watermark survive
// a restart: nothing is lost or repeated.
func TestStreamStreamLeftJoin(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emu.db")
	emu, db := startFile(t, file)
	mustExec(t, db, createPageviews, createClicks)
	startQuery(t, db, `CREATE STREAM j AS SELECT p.pageid, c.button FROM pageviews p WITH ('starting.position' = 'earliest') LEFT JOIN clicks c WITHIN 5 SECONDS ON p.userid = c.userid`)
	mustExec(t, db,
		`INSERT INTO pageviews VALUES (1000, 'u1', 'p1'), (2000, 'u2', 'p2')`, // due at 6000 and 7000
		`INSERT INTO clicks VALUES (3000, 'u1', 'b1')`,                        // p1 + b1 at once
		`INSERT INTO clicks VALUES (7500, 'u3', 'b2')`,                        // watermark 7500: p2 padded, p1 matched
		`INSERT INTO clicks VALUES (6000, 'u2', 'b3')`,                        // would match p2, which is already out padded
		`INSERT INTO pageviews VALUES (1500, 'u3', 'p3')`,                     // late, no match: padded at once
		`INSERT INTO pageviews VALUES (4000, 'u2', 'p4')`,                     // matches b3 at once
		`INSERT INTO pageviews VALUES (8000, 'u4', 'p5')`)                     // due at 13000
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())

	emu, db = startFile(t, file)
	defer func() {
		require.NoError(t, db.Close())
		require.NoError(t, emu.Close())
	}()
	mustExec(t, db,
		`INSERT INTO clicks VALUES (12000, 'u9', 'b4')`,    // watermark 12000: p5 still open
		`INSERT INTO clicks VALUES (13000, 'u4', 'b5')`,    // p5 + b5 (inclusive bound)
		`INSERT INTO pageviews VALUES (9000, 'u7', 'p6')`,  // due at 14000
		`INSERT INTO clicks VALUES (20000, 'u9', 'b6')`,    // p6 padded; p5 matched
		`INSERT INTO pageviews VALUES (20000, 'u9', 'p7')`) // the last row, so a read can stop there
	_, got := queryAll(t, db, `SELECT * FROM j WITH ('starting.position' = 'earliest') LIMIT 7`)
	assert.Equal(t, [][]string{{"p1", "b1"}, {"p2", "NULL"}, {"p3", "NULL"}, {"p4", "b3"}, {"p5", "b5"}, {"p6", "NULL"}, {"p7", "b6"}}, got)
}

// TestStreamStreamLeftJoinRules: rows before the query started (from the
// end) are partners but never come out padded; a left row without event
// time comes out padded at once; the allowed lateness holds the
// watermark back.
func TestStreamStreamLeftJoinRules(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews, createClicks, `INSERT INTO pageviews VALUES (1000, 'u1', 'p0')`)
	startQuery(t, db, `CREATE STREAM j AS SELECT p.pageid, c.button FROM pageviews p WITH ('allowed.lateness' = '2 seconds') LEFT JOIN clicks c WITHIN 5 SECONDS ON p.userid = c.userid`)
	mustExec(t, db,
		`INSERT INTO pageviews VALUES (NULL, 'u1', 'p1')`,  // no event time: padded at once
		`INSERT INTO pageviews VALUES (3000, 'u2', 'p2')`,  // due at 8000
		`INSERT INTO clicks VALUES (10000, 'u9', 'b1')`,    // watermark 8000: p2 not passed yet
		`INSERT INTO clicks VALUES (10001, 'u9', 'b2')`,    // watermark 8001: p2 padded; p0 (before the start) not
		`INSERT INTO pageviews VALUES (10000, 'u9', 'p3')`) // pairs at once
	_, got := queryAll(t, db, `SELECT * FROM j WITH ('starting.position' = 'earliest') LIMIT 4`)
	assert.Equal(t, [][]string{{"p1", "NULL"}, {"p2", "NULL"}, {"p3", "b1"}, {"p3", "b2"}}, got)
}
