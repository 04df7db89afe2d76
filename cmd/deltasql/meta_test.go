package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
	"github.com/deltastream-go/deltastream/dstest"
)

// testShell is a shell on a dstest server writing to buffers.
func testShell(t testing.TB, srv *dstest.Server) (*shell, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	c, err := openDSN(context.Background(), srv.DSN(), nil)
	require.NoError(t, err)
	var out, errOut bytes.Buffer
	now := make(chan time.Time)
	close(now)
	s := &shell{
		c: c, stdout: &out, stderr: &errOut, out: &out, intr: newInterrupter(nil),
		getenv: func(string) string { return "" }, after: func(time.Duration) <-chan time.Time { return now },
	}
	t.Cleanup(func() {
		s.intr.stop()
		_ = s.setOutput("")
		_ = s.c.Close()
	})
	return s, &out, &errOut
}

func TestMetaCommands(t *testing.T) {
	srv, _ := newServer(t)
	srv.On("LIST QUERIES;").Columns(dstest.Col("ID", "VARCHAR")).Rows([]any{"q1"})
	srv.On("TERMINATE QUERY 5f2b-ab;").CommandResult("query", "5f2b-ab", "TERMINATE", "terminated")
	srv.On(`TERMINATE QUERY "x; DROP DATABASE y";`).CommandResult("query", "x", "TERMINATE", "terminated")
	ctx := context.Background()
	tests := []struct {
		line      string
		out, err  string
		submitted string
		check     func(t *testing.T, s *shell)
	}{
		{line: `\?`, out: help},
		{line: `\timing on`, err: "Timing is on.\n", check: func(t *testing.T, s *shell) { assert.True(t, s.timing) }},
		{line: `\timing`, err: "Timing is off.\n"},
		{line: `\x auto`, err: "Expanded display is auto.\n", check: func(t *testing.T, s *shell) { assert.Equal(t, render.ExpandedAuto, s.expanded) }},
		{line: `\x`, err: "Expanded display is off.\n"},
		{line: `\format jsonl`, check: func(t *testing.T, s *shell) { assert.Equal(t, render.JSONL, s.format) }},
		{line: `\queries`, out: "{\"ID\":\"q1\"}\n", submitted: "LIST QUERIES;"},
		{line: `\terminate 5f2b-ab`, submitted: "TERMINATE QUERY 5f2b-ab;"},
		{line: `\terminate x;DROP`, err: "ERROR XX000"},
		{line: `\nope`, err: `ERROR: unknown command \nope: \? lists the commands` + "\n"},
		{line: `\format xml`, err: "ERROR: \\format: unknown format"},
	}
	s, out, errOut := testShell(t, srv)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			out.Reset()
			errOut.Reset()
			_ = s.meta(ctx, tt.line)
			if tt.out != "" {
				assert.Contains(t, out.String(), tt.out)
			}
			if tt.err != "" {
				assert.Contains(t, errOut.String(), tt.err)
			}
			if tt.submitted != "" {
				assert.Equal(t, 1, srv.Submitted(tt.submitted))
			}
			if tt.check != nil {
				tt.check(t, s)
			}
		})
	}
	assert.ErrorIs(t, s.meta(ctx, `\q`), errQuit)
}

func TestMetaOutputAndInclude(t *testing.T) {
	srv, _ := newServer(t)
	s, out, _ := testShell(t, srv)
	s.format = render.CSV
	dir := t.TempDir()
	script := filepath.Join(dir, "in.sql")
	require.NoError(t, os.WriteFile(script, []byte("LIST DATABASES;"), 0o600))
	results := filepath.Join(dir, "out.csv")
	ctx := context.Background()
	require.NoError(t, s.meta(ctx, `\o `+results))
	require.NoError(t, s.meta(ctx, `\i `+script))
	require.NoError(t, s.meta(ctx, `\o`))
	got, err := os.ReadFile(results)
	require.NoError(t, err)
	assert.Equal(t, "Name,IsDefault\ndb1,true\ndb2,false\n", string(got))
	assert.Empty(t, out.String())
}

func TestMetaWatch(t *testing.T) {
	srv, _ := newServer(t)
	s, out, errOut := testShell(t, srv)
	s.format = render.CSV
	ctx := context.Background()
	assert.Error(t, s.meta(ctx, `\watch 1`), "nothing to watch yet")
	require.NoError(t, s.runStatement(ctx, "LIST DATABASES"))
	require.NoError(t, s.meta(ctx, `\watch 0.5 3`), errOut.String())
	assert.Equal(t, 4, srv.Submitted("LIST DATABASES;"))
	assert.Contains(t, out.String(), "(every 500ms)")
}

func TestMetaConnect(t *testing.T) {
	srv, _ := newServer(t)
	other, _ := newServer(t)
	s, _, errOut := testShell(t, srv)
	ctx := context.Background()
	require.NoError(t, s.meta(ctx, `\c `+other.DSN()))
	assert.Contains(t, errOut.String(), "Connected to http://:xxxxx@127.0.0.1")
	require.NoError(t, s.runStatement(ctx, "LIST DATABASES;"))
	assert.Equal(t, 1, other.Submitted("LIST DATABASES;"))
	assert.Error(t, s.meta(ctx, `\c https://:sekrit@host/v2?bogus=1`))
	assert.NotContains(t, errOut.String(), "sekrit")
	assert.NotContains(t, errOut.String(), srv.Token())
	assert.NotContains(t, errOut.String(), other.Token())
}
