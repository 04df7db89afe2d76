package emulator_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

func TestPagingAndDataplaneView(t *testing.T) {
	emu, db := start(t, emulator.Config{PartitionSize: 7})
	ctx := context.Background()
	mustExec(t, db, `CREATE CHANGELOG orders (id INT, region VARCHAR, amount DOUBLE, PRIMARY KEY(id));`)
	var b strings.Builder
	b.WriteString("INSERT INTO orders VALUES ")
	for i := 0; i < 50; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'r%d', %d.5)", i, i%3, i)
	}
	mustExec(t, db, b.String())

	// 50 rows in partitions of 7, read through the driver.
	rows, err := db.QueryContext(ctx, `SELECT id FROM orders ORDER BY id;`)
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		require.Equal(t, n, id)
		n++
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.Equal(t, 50, n)
	answer := postRaw(t, emu, `SELECT id FROM orders;`)
	require.Len(t, answer.Metadata.PartitionInfo, 8)
	require.Len(t, answer.Data, 7)

	// A materialized view is computed at creation and read from the
	// dataplane result-set route.
	_, res := queryAll(t, db, `CREATE MATERIALIZED VIEW totals AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM orders GROUP BY region;`)
	require.Equal(t, []string{"materialized view", "db.public.totals", "CREATE"}, res[0][:3])
	cols, got := queryAll(t, db, `SELECT * FROM totals ORDER BY region;`)
	answer = postRaw(t, emu, `SELECT * FROM totals;`)
	require.NotNil(t, answer.Metadata.DataplaneRequest)
	require.Equal(t, "result-set", answer.Metadata.DataplaneRequest.RequestType)
	require.Empty(t, answer.Data)
	require.Equal(t, []string{"region", "n", "total"}, cols)
	require.Equal(t, [][]string{{"r0", "17", "416.5"}, {"r1", "17", "433.5"}, {"r2", "16", "400"}}, got)
	_, err = db.ExecContext(ctx, `INSERT INTO totals VALUES ('x', 1, 1.0);`)
	require.Equal(t, "0A000", stateOf(err))
}

func TestRunTimesAnswer202(t *testing.T) {
	// Every reading of this clock moves it 10 minutes on, so a statement
	// with a run time of an hour answers 202 to a few polls and then
	// completes, without the test waiting for real time.
	clock := &steppingClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), step: 10 * time.Minute}
	emu, db := start(t, emulator.Config{Clock: clock, RunTimes: map[string]time.Duration{"CREATE": time.Hour}})
	answer := postRaw(t, emu, `CREATE DATABASE slow;`)
	require.Equal(t, "03000", answer.SQLState)
	before := clock.reads()
	_, err := db.ExecContext(context.Background(), `CREATE DATABASE slow2;`)
	require.NoError(t, err)
	require.Greater(t, clock.reads()-before, 2) // submitted, then polled until ready
	_, rows := queryAll(t, db, `LIST DATABASES;`)
	require.Len(t, rows, 3) // db, slow (ran at once; only its answer waits), slow2
}

// steppingClock advances by step at every reading.
type steppingClock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
	n    int
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(c.step)
	c.n++
	return c.now
}

func (c *steppingClock) reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func TestPersistenceAcrossRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "local.db")
	emu, db := startFile(t, file)
	mustExec(t, db,
		`CREATE DATABASE keep;`,
		`CREATE CHANGELOG keep.public.k (id INT, v VARCHAR, PRIMARY KEY(id));`,
		`INSERT INTO keep.public.k VALUES (1, 'a'), (2, 'b');`,
		`INSERT INTO keep.public.k VALUES (1, 'c');`,
	)
	orgID := emu.OrganizationID()
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())

	emu2, db2 := startFile(t, file)
	defer func() { require.NoError(t, db2.Close()); require.NoError(t, emu2.Close()) }()
	require.Equal(t, orgID, emu2.OrganizationID())
	_, rows := queryAll(t, db2, `SELECT id, v FROM keep.public.k ORDER BY id;`)
	require.Equal(t, [][]string{{"1", "c"}, {"2", "b"}}, rows)
	_, rows = queryAll(t, db2, `LIST DATABASES;`)
	require.Len(t, rows, 2)
}

func TestViewPagesReadOnDemand(t *testing.T) {
	_, db := start(t, emulator.Config{PartitionSize: 2})
	ctx := context.Background()
	mustExec(t, db, `CREATE CHANGELOG src (id INT, PRIMARY KEY(id));`,
		`INSERT INTO src VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13), (14), (15), (16), (17), (18), (19), (20);`,
		`CREATE MATERIALIZED VIEW v AS SELECT id FROM src WHERE id > 2;`)
	_, got := queryAll(t, db, `SELECT id * 10 AS x FROM v WHERE id < 8;`)
	require.Equal(t, [][]string{{"30"}, {"40"}, {"50"}, {"60"}, {"70"}}, got)

	// Dropping the view while a client pages through it fails the pages
	// not read yet, with a message that says why.
	rows, err := db.QueryContext(ctx, `SELECT id FROM v;`)
	require.NoError(t, err)
	defer rows.Close()
	require.True(t, rows.Next())
	mustExec(t, db, `DROP MATERIALIZED VIEW v;`)
	for rows.Next() {
	}
	require.ErrorContains(t, rows.Err(), "was dropped")
}

func TestLargeResultsSpillAndExpire(t *testing.T) {
	_, db := start(t, emulator.Config{PartitionSize: 2})
	ctx := context.Background()
	mustExec(t, db, `CREATE CHANGELOG src (id INT, name VARCHAR, PRIMARY KEY(id));`)
	var b strings.Builder
	for i := 1; i <= 30; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, '%d')", i, i)
	}
	mustExec(t, db, `INSERT INTO src VALUES `+b.String()+`;`)

	// The result is a snapshot: rows inserted while it is read do not show.
	first, err := db.QueryContext(ctx, `SELECT id, name FROM src WHERE id > 5 ORDER BY id DESC;`)
	require.NoError(t, err)
	defer first.Close()
	require.True(t, first.Next())
	mustExec(t, db, `INSERT INTO src VALUES (100, 'late');`)
	var ids []int
	for first.Next() {
		var id int
		var name string
		require.NoError(t, first.Scan(&id, &name))
		require.Equal(t, strconv.Itoa(id), name)
		ids = append(ids, id)
	}
	require.NoError(t, first.Err())
	require.Len(t, ids, 24)
	require.Equal(t, 29, ids[0])

	// Only the last 8 large results are kept.
	old, err := db.QueryContext(ctx, `SELECT id FROM src;`)
	require.NoError(t, err)
	defer old.Close()
	for i := 0; i < 8; i++ {
		_, rows := queryAll(t, db, `SELECT id FROM src;`)
		require.Len(t, rows, 31)
	}
	for old.Next() {
	}
	require.ErrorContains(t, old.Err(), "run the query again")
}
