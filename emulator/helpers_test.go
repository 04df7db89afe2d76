package emulator_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/emulator"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// start runs an in-memory emulator for one test and opens the driver on
// it.
func start(t testing.TB, cfg emulator.Config) (*emulator.Emulator, *sql.DB) {
	t.Helper()
	emu, err := emulator.Start(cfg)
	require.NoError(t, err)
	db, err := sql.Open("deltastream", emu.DSN()+"?minPollInterval=1ms&maxPollInterval=5ms")
	require.NoError(t, err)
	t.Cleanup(func() {
		require.NoError(t, db.Close())
		require.NoError(t, emu.Close())
	})
	return emu, db
}

// queryAll runs a query and returns every row as strings (NULL as "NULL").
func queryAll(t testing.TB, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, q string, args ...any) (cols []string, out [][]string) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err = rows.Columns()
	require.NoError(t, err)
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return cols, out
}

// mustExec runs statements that must succeed.
func mustExec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		_, err := db.ExecContext(context.Background(), s)
		require.NoError(t, err, s)
	}
}

// stateOf is the SQL state of a driver error ("" when err is nil or not a
// *deltastream.Error).
func stateOf(err error) string {
	var de *deltastream.Error
	if errors.As(err, &de) {
		return de.State
	}
	return ""
}

// postRaw submits one statement over plain HTTP and decodes the answer,
// for checks of what travels on the wire.
func postRaw(t testing.TB, emu *emulator.Emulator, stmt string) *wire.ResultSet {
	t.Helper()
	body, err := json.Marshal(wire.StatementRequest{Statement: stmt})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, emu.URL()+"/statements", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+emu.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Contains(t, []int{200, 202}, resp.StatusCode, string(raw))
	var rs wire.ResultSet
	require.NoError(t, json.Unmarshal(raw, &rs), string(raw))
	return &rs
}

// startFile runs an emulator on a data file, for restart tests; the
// caller closes both.
func startFile(t testing.TB, file string) (*emulator.Emulator, *sql.DB) {
	t.Helper()
	emu, err := emulator.Start(emulator.Config{DataFile: file})
	require.NoError(t, err)
	db, err := sql.Open("deltastream", emu.DSN())
	require.NoError(t, err)
	return emu, db
}
