package emulator_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// TestWindowEmit: into an append stream a window is emitted once, when
// the watermark (highest event time minus allowed lateness) passes its
// end; rows arriving after that are late and dropped.
func TestWindowEmit(t *testing.T) {
	tests := []struct {
		name string
		with string
		want [][]string
	}{
		{
			name: "lateness 0 drops the late row",
			with: `'starting.position' = 'earliest'`,
			want: [][]string{
				{"1970-01-01T00:00:10Z", "u1", "1"},
				{"1970-01-01T00:00:10Z", "u2", "1"},
				{"1970-01-01T00:00:20Z", "u1", "1"},
			},
		},
		{
			name: "allowed lateness keeps it",
			with: `'starting.position' = 'earliest', 'allowed.lateness' = '5 seconds'`,
			want: [][]string{
				{"1970-01-01T00:00:10Z", "u1", "2"},
				{"1970-01-01T00:00:10Z", "u2", "1"},
				{"1970-01-01T00:00:20Z", "u1", "1"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, db := start(t, emulator.Config{})
			mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1000, 'u1', 'p'), (9000, 'u2', 'p')`)
			startQuery(t, db, `CREATE STREAM w AS SELECT window_end, userid, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 10 SECONDS) WITH (`+tt.with+`) GROUP BY window_start, window_end, userid`)
			mustExec(t, db,
				`INSERT INTO pageviews VALUES (12000, 'u1', 'p')`,
				`INSERT INTO pageviews VALUES (8000, 'u1', 'p')`,
				`INSERT INTO pageviews VALUES (25000, 'u1', 'p')`)
			_, got := queryAll(t, db, `SELECT * FROM w WITH ('starting.position' = 'earliest') LIMIT 3`)
			assert.Equal(t, tt.want, got)
		})
	}
}

// manualClock is a clock the test sets.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestWindowInsertionTime: without a 'timestamp' column, event time is
// the insertion time on the emulator's (injected) clock.
func TestWindowInsertionTime(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := &manualClock{now: t0.Add(10 * time.Second)}
	_, db := start(t, emulator.Config{Clock: clock})
	mustExec(t, db, `CREATE STREAM clicks (userid VARCHAR)`)
	startQuery(t, db, `CREATE MATERIALIZED VIEW v AS SELECT window_start, userid, COUNT(*) AS n FROM TUMBLE(clicks, SIZE 1 MINUTE) GROUP BY window_start, window_end, userid`)
	startQuery(t, db, `CREATE STREAM s AS SELECT window_start, COUNT(*) AS n FROM TUMBLE(clicks, SIZE 1 MINUTE) GROUP BY window_start, window_end`)
	mustExec(t, db, `INSERT INTO clicks VALUES ('u1'), ('u1')`)
	clock.set(t0.Add(65 * time.Second))
	mustExec(t, db, `INSERT INTO clicks VALUES ('u1')`)
	clock.set(t0.Add(130 * time.Second))
	mustExec(t, db, `INSERT INTO clicks VALUES ('u2')`)
	_, got := queryAll(t, db, `SELECT * FROM v ORDER BY window_start, userid`)
	assert.Equal(t, [][]string{
		{"2024-01-01T00:00:00Z", "u1", "2"},
		{"2024-01-01T00:01:00Z", "u1", "1"},
		{"2024-01-01T00:02:00Z", "u2", "1"},
	}, got)
	_, got = queryAll(t, db, `SELECT * FROM s WITH ('starting.position' = 'earliest') LIMIT 2`)
	assert.Equal(t, [][]string{{"2024-01-01T00:00:00Z", "2"}, {"2024-01-01T00:01:00Z", "1"}}, got)
}

// TestWindowEmitRestart: an emitting query of a --data emulator keeps its
// watermark across a restart: no window is emitted twice or lost.
func TestWindowEmitRestart(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emu.db")
	emu, db := startFile(t, file)
	mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1000, 'u1', 'p'), (12000, 'u1', 'p')`)
	startQuery(t, db, `CREATE STREAM w AS SELECT window_end, COUNT(*) AS n FROM TUMBLE(pageviews, SIZE 10 SECONDS) WITH ('starting.position' = 'earliest') GROUP BY window_start, window_end`)
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())

	emu, db = startFile(t, file)
	defer func() {
		require.NoError(t, db.Close())
		require.NoError(t, emu.Close())
	}()
	mustExec(t, db, `INSERT INTO pageviews VALUES (5000, 'u1', 'p')`, // late: dropped
		`INSERT INTO pageviews VALUES (21000, 'u1', 'p')`)
	_, got := queryAll(t, db, `SELECT * FROM w WITH ('starting.position' = 'earliest') LIMIT 2`)
	assert.Equal(t, [][]string{{"1970-01-01T00:00:10Z", "1"}, {"1970-01-01T00:00:20Z", "1"}}, got)
}
