package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
	"github.com/deltastream-go/deltastream/dstest"
)

// result is what one run of the shell printed.
type result struct {
	code           int
	stdout, stderr string
}

// runShell runs the shell in-process with args, stdin and environment.
func runShell(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, lookup)
	return result{code, out.String(), errOut.String()}
}

func newServer(t *testing.T) (*dstest.Server, map[string]string) {
	srv := dstest.NewServer(t)
	srv.OnMatch(func(sql string) bool { return statements.OneLine(sql) == "LIST DATABASES;" }).
		Columns(dstest.Col("Name", "VARCHAR"), dstest.Col("IsDefault", "BOOLEAN")).
		Rows([]any{"db1", true}, []any{"db2", false})
	srv.On("SELECT * FROM bad;").Error("42601", "syntax error near bad; token "+srv.Token())
	return srv, map[string]string{"DELTASTREAM_DSN": srv.DSN()}
}

func TestOneShot(t *testing.T) {
	srv, env := newServer(t)
	tests := []struct {
		name       string
		stdin      string
		args       []string
		code       int
		stdout     string
		stderrHas  []string
		submitted  string
		submitOnce bool
	}{
		{
			name: "table",
			args: []string{"-e", "LIST DATABASES;"},
			stdout: " Name | IsDefault\n" +
				"------+-----------\n" +
				" db1  | true\n" +
				" db2  | false\n" +
				"(2 rows)\n",
		},
		{
			name:   "csv, semicolon added",
			args:   []string{"--format", "csv", "-e", "LIST DATABASES"},
			stdout: "Name,IsDefault\ndb1,true\ndb2,false\n",
		},
		{
			name:   "jsonl from stdin",
			stdin:  "LIST\n  DATABASES; -- a comment\n",
			args:   []string{"--format=jsonl"},
			stdout: "{\"Name\":\"db1\",\"IsDefault\":true}\n{\"Name\":\"db2\",\"IsDefault\":false}\n",
		},
		{
			name:      "error stops",
			args:      []string{"--format", "tsv", "-e", "SELECT * FROM bad; LIST DATABASES;"},
			code:      1,
			stdout:    "",
			stderrHas: []string{"ERROR 42601: syntax error near bad", "statement id: "},
		},
		{
			name:      "error continues",
			args:      []string{"--format", "tsv", "--on-error", "continue", "-e", "SELECT * FROM bad;", "-e", "LIST DATABASES;"},
			code:      1,
			stdout:    "Name\tIsDefault\ndb1\ttrue\ndb2\tfalse\n",
			stderrHas: []string{"ERROR 42601"},
		},
		{
			name:      "bad flag",
			args:      []string{"--format", "xml"},
			code:      2,
			stderrHas: []string{"use one of table, csv"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runShell(t, env, tt.stdin, tt.args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Equal(t, tt.stdout, r.stdout)
			for _, s := range tt.stderrHas {
				assert.Contains(t, r.stderr, s)
			}
			assert.NotContains(t, r.stdout+r.stderr, srv.Token(), "the token never shows")
		})
	}
}

func TestOneShotFile(t *testing.T) {
	srv, env := newServer(t)
	f := filepath.Join(t.TempDir(), "q.sql")
	require.NoError(t, os.WriteFile(f, []byte("LIST DATABASES;\nLIST DATABASES"), 0o600))
	r := runShell(t, env, "", "-f", f, "--format", "csv")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, strings.Repeat("Name,IsDefault\ndb1,true\ndb2,false\n", 2), r.stdout)
	assert.Equal(t, 2, srv.Submitted("LIST DATABASES;"))
}

func TestContinuousQueryLimit(t *testing.T) {
	tests := []struct{ format, want string }{
		{"csv", "userid,n\nUser_1,0\nUser_2,1\nUser_3,2\n"},
		{"table", " userid | n\n--------+---\n User_1 | 0\n User_2 | 1\n User_3 | 2\n(3 rows)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			srv, env := newServer(t)
			st := srv.On("SELECT * FROM pageviews;").Columns(dstest.Col("userid", "VARCHAR"), dstest.Col("n", "BIGINT")).Stream()
			go func() {
				<-st.Connected()
				for i := range 5 {
					if st.Push("User_"+string(rune('1'+i)), int64(i)) != nil {
						return
					}
				}
				<-st.ClientClosed() // never closed by the server: the shell stops at --limit
			}()
			r := runShell(t, env, "", "--limit", "3", "--format", tt.format, "-e", "SELECT * FROM pageviews;")
			assert.Equal(t, 0, r.code, r.stderr)
			assert.Equal(t, tt.want, r.stdout)
			<-st.ClientClosed()
		})
	}
}

func TestTokenNeverShown(t *testing.T) {
	srv, _ := newServer(t)
	token := srv.Token()
	tests := []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"bad DSN parameter", nil, []string{"--dsn", "https://:" + token + "@localhost:1/v2?nope=1", "-e", "LIST DATABASES;"}},
		{"unreachable server", nil, []string{"--dsn", "http://:" + token + "@127.0.0.1:1/v2?retryTimeout=0", "-e", "LIST DATABASES;"}},
		{"token and server", map[string]string{"DELTASTREAM_TOKEN": token}, []string{"--server", "http://user@127.0.0.1:1/v2", "-e", "LIST DATABASES;"}},
		{"token as the server's password", map[string]string{"DELTASTREAM_TOKEN": "t"}, []string{"--server", "https://:" + token + "@127.0.0.1:1/v2", "-e", "LIST DATABASES;"}},
		{"token as the server's user", map[string]string{"DELTASTREAM_TOKEN": "t"}, []string{"--server", "https://" + token + "@127.0.0.1:1/v2", "-e", "LIST DATABASES;"}},
		{"server echoes it", map[string]string{"DELTASTREAM_DSN": srv.DSN()}, []string{"-e", "SELECT * FROM bad;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runShell(t, tt.env, "", tt.args...)
			assert.NotEqual(t, 0, r.code)
			assert.NotContains(t, r.stdout+r.stderr, token)
			assert.Regexp(t, "^(deltasql|ERROR)", r.stderr)
		})
	}
}

func TestEmbeddedEmulator(t *testing.T) {
	r := runShell(t, map[string]string{}, "", "-e", "LIST DATABASES;", "--format", "csv")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "one line on stderr: %q", r.stderr)
	assert.Contains(t, r.stderr, "embedded emulator")
	assert.True(t, strings.HasPrefix(r.stdout, "Name,IsDefault,Owner,CreatedAt\n"), r.stdout)
}

func TestEmbeddedEmulatorDataFile(t *testing.T) {
	data := filepath.Join(t.TempDir(), "ds.db")
	r := runShell(t, map[string]string{}, "", "--data", data, "-e", "CREATE DATABASE kept;")
	require.Equal(t, 0, r.code, r.stderr)
	r = runShell(t, map[string]string{}, "", "--data", data, "--format", "csv", "-e", "LIST DATABASES;")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "\nkept,")
}

func TestStdinRunsStatementsAsTheyArrive(t *testing.T) {
	srv, env := newServer(t)
	posted := make(chan struct{}, 4)
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if r.Method == "POST" {
			posted <- struct{}{}
		}
		return nil
	})
	pr, pw := io.Pipe()
	done := make(chan result)
	go func() { done <- runShell2(env, pr, "--format", "csv") }()
	_, err := pw.Write([]byte("LIST DATABASES;\nLIST"))
	require.NoError(t, err)
	<-posted // the first statement ran before the input ended
	_, err = pw.Write([]byte(" DATABASES"))
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	<-posted // the last one, without ';', at the end of the input
	r := <-done
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, strings.Repeat("Name,IsDefault\ndb1,true\ndb2,false\n", 2), r.stdout)
}

// runShell2 is runShell with a reader for stdin and no *testing.T.
func runShell2(env map[string]string, stdin io.Reader, args ...string) result {
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(context.Background(), args, stdin, &out, &errOut, lookup)
	return result{code, out.String(), errOut.String()}
}
