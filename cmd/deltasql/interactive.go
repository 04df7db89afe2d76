package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/input"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
)

// interactive reads statements from the terminal until \q or Ctrl-D.
func (s *shell) interactive(ctx context.Context, historyPath string) int {
	s.completer = input.NewCompleter(s.fetchNames)
	s.editor = input.Open(historyPath, func() []string { return s.c.secrets }, s.completer.Complete)
	defer func() {
		_ = s.editor.Close()
		s.editor = nil
	}()
	fmt.Fprintf(s.stderr, "deltasql: connected to %s. \\? for help, \\q to quit.\n", s.clean(s.c.where))
	s.learnContext(ctx)
	var buf strings.Builder
	for {
		line, err := s.editor.Prompt(s.prompt(ctx, buf.Len() > 0))
		switch {
		case errors.Is(err, input.ErrAborted):
			buf.Reset()
			continue
		case errors.Is(err, io.EOF):
			fmt.Fprintln(s.stdout)
			return 0
		case err != nil:
			s.report(err)
			return 1
		}
		if buf.Len() == 0 && strings.HasPrefix(strings.TrimSpace(line), `\`) {
			s.editor.Remember(line)
			if errors.Is(s.meta(ctx, line), errQuit) {
				return 0
			}
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		stmts, rest := statements.Split(buf.String())
		for _, st := range stmts {
			s.editor.Remember(st)
			_ = s.runStatement(ctx, st) // reported already
		}
		buf.Reset()
		if !statements.IsBlank(rest) {
			buf.WriteString(rest)
		}
	}
}

// prompt shows where statements run, "db.schema/store> " like
// DeltaStream's CLI, and "-> " in the same width while a statement
// continues over lines.
func (s *shell) prompt(ctx context.Context, continued bool) string {
	where := "deltasql"
	if sess, err := deltastream.CurrentSession(ctx, s.c.conn); err == nil {
		switch {
		case sess.Database != "" && sess.Schema != "":
			where = sess.Database + "." + sess.Schema
		case sess.Database != "":
			where = sess.Database
		}
		if sess.Store != "" {
			where += "/" + sess.Store
		}
	}
	where = render.Escape(where)
	if continued {
		return strings.Repeat(" ", max(0, len([]rune(where))-1)) + "-> "
	}
	return where + "> "
}

// learnContext makes the first prompt show the connection's context.
// The service keeps no session: a connection learns its database, schema
// and store from the context of an answer. When the DSN does not name them
// all, the interactive shell runs one cheap catalog read, LIST DATABASES,
// before the first prompt; its names prime completion, so the request is
// not an extra one for a user who completes a database name. One-shot
// runs never send it. A failure is not reported here: the first statement
// will meet the same problem and report it.
func (s *shell) learnContext(ctx context.Context) {
	sess, err := deltastream.CurrentSession(ctx, s.c.conn)
	if err != nil || sess.Database != "" && sess.Schema != "" && sess.Store != "" {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.intr.set(cancel) // Ctrl-C skips it
	defer s.intr.set(nil)
	names, err := s.listNames(ctx, input.Databases)
	if err == nil && s.completer != nil {
		s.completer.Prime(input.Databases, names)
	}
}

// fetchNames lists the objects completion offers, in the current context.
func (s *shell) fetchNames(class string) ([]string, error) {
	return s.listNames(context.Background(), class)
}

// listNames runs the LIST statement of a class and returns the names, in
// at most three seconds.
func (s *shell) listNames(ctx context.Context, class string) ([]string, error) {
	stmt := map[string]string{
		input.Databases: "LIST DATABASES;",
		input.Schemas:   "LIST SCHEMAS;",
		input.Relations: "LIST RELATIONS;",
		input.Stores:    "LIST STORES;",
		input.Entities:  "LIST ENTITIES;",
	}[class]
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	rows, err := s.c.conn.QueryContext(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	name := 0
	for i, c := range cols {
		if strings.EqualFold(c, "name") {
			name = i
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var names []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		if n, ok := vals[name].(string); ok {
			names = append(names, n)
		}
	}
	return names, rows.Err()
}
