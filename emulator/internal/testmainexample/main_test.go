// Package testmainexample is the README's "Local development" snippet as a
// test package that runs: an emulator started in TestMain and used by the
// package's tests through database/sql.
package testmainexample

import (
	"context"
	"database/sql"
	"log"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/emulator"
)

var dsn string

func TestMain(m *testing.M) {
	emu, err := emulator.Start(emulator.Config{})
	if err != nil {
		log.Fatal(err)
	}
	dsn = emu.DSN() // http://:TOKEN@127.0.0.1:PORT/v2
	code := m.Run()
	emu.Close()
	os.Exit(code)
}

func TestListDatabases(t *testing.T) {
	db, err := sql.Open("deltastream", dsn)
	require.NoError(t, err)
	defer db.Close()
	var names []string
	rows, err := db.QueryContext(context.Background(), "LIST DATABASES;")
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(sql.RawBytes)
	}
	for rows.Next() {
		require.NoError(t, rows.Scan(vals...))
		names = append(names, string(*vals[0].(*sql.RawBytes)))
	}
	require.NoError(t, rows.Err())
	require.Contains(t, names, "db")
}
