package emulator

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// TestBadInputKeepsFileIntact runs good and bad statements against a data
// file, reopens it and checks SQLite's integrity and the catalog.
func TestBadInputKeepsFileIntact(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data.db")
	eng, err := newEngine(Config{DataFile: file, Clock: realClock{}, PartitionSize: 10, Logger: discardLogger()})
	require.NoError(t, err)
	run := func(sql string) []*server.Outcome {
		return eng.Execute(context.Background(), &server.Submission{
			Request: &wire.StatementRequest{Statement: sql}, Statements: server.SplitStatements(sql), Now: time.Now(),
		})
	}
	run(`CREATE CHANGELOG c (k INT, v VARCHAR(3), PRIMARY KEY(k));`)
	for _, sql := range append([]string{
		`INSERT INTO c VALUES (1, 'ok'), (2, 'too long');`, // rejected whole
		`INSERT INTO c VALUES (3, 'ok');`,
		`CREATE CHANGELOG c (k INT, PRIMARY KEY(k));`,
		"\x00\xff';--",
	}, fuzzSeeds...) {
		for _, o := range run(sql) {
			require.NotEqual(t, stateInternal, o.SQLState, "%s: %s", sql, o.Message)
		}
	}
	require.NoError(t, eng.close())

	db, err := openStore(file)
	require.NoError(t, err)
	defer db.Close()
	var check string
	require.NoError(t, db.QueryRow(`PRAGMA integrity_check`).Scan(&check))
	require.Equal(t, "ok", check)
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM ds_relations WHERE name = 'c'`).Scan(&n))
	require.Equal(t, 1, n)
}
