package emulator_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// ttlClock is a Clock that moves only when told (for the TTL tests).
type ttlClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *ttlClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ttlClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestStatementTTLThroughDatabaseSQL(t *testing.T) {
	tests := []struct {
		name    string
		perRow  time.Duration // clock advance after each row read
		wantErr bool
	}{
		{"a reader paging within the TTL reads every row", 25 * time.Second, false},
		{"a reader idle longer than the TTL finds the statement forgotten", 61 * time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &ttlClock{now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
			emu, err := emulator.Start(emulator.Config{PartitionSize: 2, Clock: clock, StatementTTL: time.Minute})
			require.NoError(t, err)
			db, err := sql.Open("deltastream", emu.DSN()+"?prefetch=0&minPollInterval=1ms&maxPollInterval=5ms")
			require.NoError(t, err)
			t.Cleanup(func() {
				require.NoError(t, db.Close())
				require.NoError(t, emu.Close())
			})
			mustExec(t, db, `CREATE CHANGELOG src (id INT, PRIMARY KEY(id));`,
				`INSERT INTO src VALUES (1), (2), (3), (4), (5), (6);`)

			rows, err := db.QueryContext(context.Background(), `SELECT id FROM src ORDER BY id;`)
			require.NoError(t, err)
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
				clock.advance(tt.perRow)
			}
			if !tt.wantErr {
				require.NoError(t, rows.Err())
				require.Equal(t, 6, n)
				return
			}
			require.Error(t, rows.Err())
			require.ErrorContains(t, rows.Err(), "not found")
			require.Less(t, n, 6)
		})
	}
}
