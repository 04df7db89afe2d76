//go:build linux

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

func TestInteractiveMultiLineAndPrompt(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2", SchemaName: "public"}).
		CommandResult("database", "db2", "USE", "ok")
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + t.TempDir()})
	c.expect("deltasql> ")
	c.send("LIST\r")
	c.expect("-> ")
	c.send("  DATABASES;\r")
	c.expect(" db2  | false")
	c.expect("(2 rows)")
	c.expect("Time: ")
	c.send("USE DATABASE db2;\r")
	c.expect("db2.public> ")
	c.send("\\q\r")
	assert.Equal(t, 0, c.wait())
	assert.NotContains(t, c.output(), srv.Token())
}

func TestInteractiveCtrlC(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	gate := srv.On("SELECT * FROM slow;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1}).Hold()
	t.Cleanup(gate.Release)
	polled := make(chan struct{}, 1)
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if r.Method == "GET" {
			select {
			case polled <- struct{}{}:
			default:
			}
		}
		return nil
	})
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + t.TempDir()})
	c.expect("deltasql> ")
	c.send("SELECT * FROM slow;\r")
	<-polled      // the statement is running
	c.expect("⠋") // the spinner, on stderr, a terminal
	c.send("\x03")
	c.expect("Cancelled.")
	c.expect("deltasql> ")
	c.send("SELECT 1 +\r") // Ctrl-C at the prompt drops the unfinished statement
	c.expect("-> ")
	// liner prints its prompt before it turns signals off: the echo of a
	// typed character shows that it reads the keys itself.
	c.send("2")
	c.expect("-> 2")
	c.send("\x03")
	c.expect("deltasql> ")
	c.send("LIST DATABASES;\r")
	c.expect(" db1  | true")
	c.send("\x04") // Ctrl-D
	assert.Equal(t, 0, c.wait())
}

func TestInteractiveHistoryAcrossRuns(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	srv.On("CREATE SECRET s WITH ('type' = 'generic_string', 'generic_string.value' = 'hunter2');").
		CommandResult("secret", "s", "CREATE", "created")
	state := t.TempDir()
	env := []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + state}

	c := startConsole(t, env)
	c.expect("deltasql> ")
	c.send("LIST\r")
	c.send("DATABASES;\r")
	c.expect("(2 rows)")
	c.send("CREATE SECRET s WITH ('type' = 'generic_string', 'generic_string.value' = 'hunter2');\r")
	c.expect("(1 row)")
	c.send("\\c " + srv.DSN() + "\r")
	c.expect("Connected to")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())

	hist, err := os.ReadFile(filepath.Join(state, "deltasql", "history"))
	require.NoError(t, err)
	assert.Equal(t, "LIST DATABASES;\n", string(hist), "no secret, no DSN, one line per statement")
	assert.NotContains(t, string(hist), srv.Token())

	c = startConsole(t, env)
	c.expect("deltasql> ")
	before := srv.Submitted("LIST DATABASES;") // the shell's own, to learn the context
	c.send("\x1b[A")                           // Up: the last statement of the first run
	c.expect("LIST DATABASES;")
	c.send("\r")
	c.expect("(2 rows)")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())
	assert.Equal(t, before+1, srv.Submitted("LIST DATABASES;"), "the recalled entry is the one-line form (the first run sent it on two lines)")
}

func TestInteractiveCompletion(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2"}).CommandResult("database", "db2", "USE", "ok")
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + t.TempDir()})
	c.expect("deltasql> ")
	c.send("LIST DATAB\t") // DATABASE and DATABASES: their common prefix
	c.expect("LIST DATABASE")
	c.send("S;\r")
	c.expect("(2 rows)")
	c.send("USE DATABASE db\t\t") // two names: the second Tab lists them
	c.expect("db1")
	c.expect("db2")
	c.send("2;\r")
	c.expect("db2> ")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())
	assert.Equal(t, 2, srv.Submitted("LIST DATABASES;"), "the startup statement that learns the context (its names prime completion), then the typed one")
}

func TestInteractiveContinuousQuery(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	st := srv.On("PRINT ENTITY pageviews;").Columns(dstest.Col("userid", "VARCHAR"), dstest.Col("n", "BIGINT")).Stream()
	go func() {
		<-st.Connected()
		_ = st.Push("User_1", int64(1))
		_ = st.Push("User_2", int64(2))
		<-st.ClientClosed()
	}()
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + t.TempDir()})
	c.expect("deltasql> ")
	c.send("PRINT ENTITY pageviews;\r")
	c.expect(" User_2 | 2") // shown while the query goes on
	c.send("\x03")
	c.expect("Cancelled.")
	<-st.ClientClosed()
	c.expect("deltasql> ")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())
}

func TestOneShotCtrlCExits(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	gate := srv.On("SELECT * FROM slow;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1}).Hold()
	t.Cleanup(gate.Release)
	polled := make(chan struct{}, 1)
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if r.Method == "GET" {
			select {
			case polled <- struct{}{}:
			default:
			}
		}
		return nil
	})
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN()}, "-e", "SELECT * FROM slow;", "-e", "LIST DATABASES;")
	<-polled
	c.send("\x03")
	assert.Equal(t, exitCancelled, c.wait())
	assert.Equal(t, 0, srv.Submitted("LIST DATABASES;"), "nothing runs after Ctrl-C")
}

func TestInteractivePager(t *testing.T) {
	t.Parallel() // a shell process on its own terminal: the tests wait on their processes, not the CPU
	srv, _ := newServer(t)
	rows := make([][]any, 60) // taller than the 40-line terminal
	for i := range rows {
		rows[i] = []any{int64(i)}
	}
	srv.On("SELECT n FROM tall;").Columns(dstest.Col("n", "BIGINT")).Rows(rows...)
	srv.On("SELECT n FROM short;").Columns(dstest.Col("n", "BIGINT")).Rows([]any{int64(7)})
	c := startConsole(t, []string{"DELTASTREAM_DSN=" + srv.DSN(), "XDG_STATE_HOME=" + t.TempDir(), "PAGER=sed s/^/paged:/"})
	c.expect("deltasql> ")
	c.send("SELECT n FROM tall;\r")
	c.expect("paged: 59")
	c.expect("paged:(60 rows)")
	c.send("SELECT n FROM short;\r")
	c.expect("(1 row)")
	c.send("\\q\r")
	require.Equal(t, 0, c.wait())
	assert.NotContains(t, c.output(), "paged: 7", "a result that fits is not paged")
}
