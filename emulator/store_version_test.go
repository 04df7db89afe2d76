package emulator_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// rawFile runs SQLite statements directly on an emulator's data file,
// to make it look as an older or newer build left it.
func rawFile(t *testing.T, file string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", file)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	for _, s := range stmts {
		_, err := db.ExecContext(context.Background(), s)
		require.NoError(t, err, s)
	}
}

// TestDataFileVersion: a file from a build whose log tables lack _ts is
// migrated at Start and takes INSERTs again, keeping its rows; a file
// from a newer build is refused at Start with what to do.
func TestDataFileVersion(t *testing.T) {
	file := filepath.Join(t.TempDir(), "emu.db")
	emu, db := startFile(t, file)
	mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1, 'u1', 'p1')`)
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())
	rawFile(t, file, `ALTER TABLE r1 DROP COLUMN _ts`, `PRAGMA user_version = 0`) // as an older build wrote it

	emu, db = startFile(t, file)
	mustExec(t, db, `INSERT INTO pageviews VALUES (2, 'u2', 'p2')`)
	_, got := queryAll(t, db, `SELECT pageid FROM pageviews WITH ('starting.position' = 'earliest') LIMIT 2`)
	assert.Equal(t, [][]string{{"p1"}, {"p2"}}, got)
	require.NoError(t, db.Close())
	require.NoError(t, emu.Close())

	rawFile(t, file, `PRAGMA user_version = 99`)
	_, err := emulator.Start(emulator.Config{DataFile: file})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer emulator")
	assert.Contains(t, err.Error(), "upgrade the emulator")
}
