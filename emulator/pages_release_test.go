package emulator_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// TestSpilledResultReleased: when the server forgets a statement whose
// result was spilled, the emulator drops the result and frees its place
// among the last 8, so a result still being read outlives more than 8
// later large results whose statements are gone.
func TestSpilledResultReleased(t *testing.T) {
	ctx := context.Background()
	_, db := start(t, emulator.Config{PartitionSize: 1, MaxStatements: 2})
	mustExec(t, db, `CREATE CHANGELOG c (k INT, PRIMARY KEY (k))`,
		`INSERT INTO c VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10)`) // 10 partitions: spilled
	held, err := db.QueryContext(ctx, `SELECT k FROM c`)
	require.NoError(t, err)
	var got []int
	next := func() {
		require.True(t, held.Next(), "%v", held.Err())
		var k int
		require.NoError(t, held.Scan(&k))
		got = append(got, k)
	}
	next()
	for range 9 {
		_, rows := queryAll(t, db, `SELECT k FROM c`) // spilled, read, then forgotten
		require.Len(t, rows, 10)
		next() // the held result stays the most recently used
	}
	require.False(t, held.Next())
	require.NoError(t, held.Err())
	require.NoError(t, held.Close())
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, got)
}
