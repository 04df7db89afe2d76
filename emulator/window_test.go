package emulator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
