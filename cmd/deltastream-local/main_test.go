package main

import (
	"bufio"
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	_ "github.com/deltastream-go/deltastream"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// launch runs the command until the returned stop is called; it returns
// the DSN it printed.
func launch(t *testing.T, args ...string) (dsn string, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	var out strings.Builder
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if d, ok := strings.CutPrefix(line, "DSN: "); ok {
			dsn = d
		}
		if strings.Contains(line, "Production workloads run on DeltaStream itself") {
			break
		}
	}
	require.NotEmpty(t, dsn, out.String())
	return dsn, func() string {
		cancel()
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
		}
		require.NoError(t, <-done)
		return out.String()
	}
}

func TestServesAndStopsCleanly(t *testing.T) {
	dsn, stop := launch(t, "--addr", "127.0.0.1:0", "--token", "tok123")
	require.Contains(t, dsn, ":tok123@127.0.0.1:")
	db, err := sql.Open("deltastream", dsn)
	require.NoError(t, err)
	var name string
	var isDefault bool
	var owner string
	var created any
	require.NoError(t, db.QueryRow(`LIST DATABASES;`).Scan(&name, &isDefault, &owner, &created))
	require.Equal(t, "db", name)
	require.NoError(t, db.Close())
	out := stop()
	require.Contains(t, out, "for development and tests")
	require.Contains(t, out, "stopping")
}

func TestDataPersistsAcrossRestarts(t *testing.T) {
	file := filepath.Join(t.TempDir(), "local.db")
	dsn, stop := launch(t, "--addr", "127.0.0.1:0", "--data", file, "--token", "t")
	db, err := sql.Open("deltastream", dsn)
	require.NoError(t, err)
	for _, s := range []string{`CREATE CHANGELOG kv (k VARCHAR, v INT, PRIMARY KEY(k));`, `INSERT INTO kv VALUES ('a', 1), ('b', 2);`} {
		_, err := db.Exec(s)
		require.NoError(t, err, s)
	}
	require.NoError(t, db.Close())
	stop()

	dsn, stop = launch(t, "--addr", "127.0.0.1:0", "--data", file, "--token", "t")
	defer stop()
	db, err = sql.Open("deltastream", dsn)
	require.NoError(t, err)
	defer db.Close()
	var sum int
	require.NoError(t, db.QueryRow(`SELECT SUM(v) FROM kv;`).Scan(&sum))
	require.Equal(t, 3, sum)
}

func TestBadFlags(t *testing.T) {
	require.Error(t, run(context.Background(), []string{"--nope"}, io.Discard, io.Discard))
	require.Error(t, run(context.Background(), []string{"extra"}, io.Discard, io.Discard))
	require.Error(t, run(context.Background(), []string{"--addr", "256.0.0.1:bad"}, io.Discard, io.Discard))
	require.Error(t, run(context.Background(), []string{"--statement-ttl", "-1s"}, io.Discard, io.Discard))
	require.Error(t, run(context.Background(), []string{"--max-statements", "-1"}, io.Discard, io.Discard))
}

func TestRetentionFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--statement-ttl", "0", "--max-statements", "0"},
		{"--statement-ttl", "1m", "--max-statements", "3"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			dsn, stop := launch(t, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
			defer stop()
			db, err := sql.Open("deltastream", dsn)
			require.NoError(t, err)
			defer db.Close()
			for range 5 {
				_, err := db.Exec(`LIST DATABASES;`)
				require.NoError(t, err)
			}
		})
	}
}
