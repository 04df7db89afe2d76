package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/input"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/spinner"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
)

// errCancelled marks a statement the user stopped with Ctrl-C.
var errCancelled = errors.New("cancelled")

// shell runs statements on a connection and shows their results. It is
// used from one goroutine.
type shell struct {
	c *connection

	stdout, stderr io.Writer
	term           terminal

	out     io.Writer // stdout, or the file of \o
	outFile *os.File

	format   render.Format
	expanded render.Expanded
	timing   bool
	pager    string // command line; "" disables paging
	limit    int64
	last     string // last statement, for \watch

	intr      *interrupter
	editor    *input.Editor // nil unless interactive
	completer *input.Completer
	getenv    func(string) string
	after     func(time.Duration) <-chan time.Time // \watch's clock
}

// runStatement runs one SQL statement and prints its result or its error.
func (s *shell) runStatement(ctx context.Context, stmt string) error {
	stmt = statements.Terminated(stmt)
	s.last = stmt
	err := s.query(ctx, stmt)
	if statements.ChangesCatalog(stmt) && s.completer != nil {
		s.completer.Invalidate()
	}
	if err != nil {
		s.report(err)
	}
	return err
}

// query runs stmt and renders its rows.
func (s *shell) query(parent context.Context, stmt string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	s.intr.set(cancel)
	defer s.intr.set(nil)

	start := time.Now()
	var stopSpinner func()
	if s.term.errTTY {
		t := time.NewTicker(120 * time.Millisecond)
		sp := spinner.Start(s.stderr, t.C, nil)
		ctx = withStatementProgress(ctx, sp)
		stopSpinner = func() { sp.Stop(); t.Stop() }
	} else {
		stopSpinner = func() {}
	}
	defer stopSpinner()

	rows, err := s.c.conn.QueryContext(ctx, stmt)
	if err != nil {
		stopSpinner()
		return s.cancelled(parent, ctx, err)
	}
	defer rows.Close()

	opts := render.Options{
		Format:   s.format,
		Expanded: s.expanded,
		Width:    s.term.width(s.out == s.stdout),
		Limit:    s.limit,
		Terminal: s.out == s.stdout && s.term.outTTY,
		Footer:   true,
		OnOutput: stopSpinner,
		Stop:     cancel,
	}
	w := s.out
	var pw *pagingWriter
	if s.pager != "" && s.out == s.stdout && s.term.outTTY && s.format == render.Table && s.expanded != render.ExpandedOn {
		pw = &pagingWriter{w: s.stdout}
		opts.OnStream = pw.passThrough
		w = pw
	}
	sum, err := render.Write(w, rows, opts)
	stopSpinner()
	if err == nil {
		err = rows.Err()
	}
	if sum.Limited {
		cancel()
		err = nil // stopping at --limit is the normal end of a continuous query
	}
	if pw != nil {
		if perr := s.page(pw); err == nil {
			err = perr
		}
	}
	if err == nil && s.timing {
		w := s.out
		if s.format != render.Table && s.format != render.Vertical {
			w = s.stderr
		}
		fmt.Fprintf(w, "Time: %s\n", formatElapsed(time.Since(start)))
	}
	return s.cancelled(parent, ctx, err)
}

// cancelled turns the error of a statement the user interrupted into
// errCancelled.
func (s *shell) cancelled(parent, ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && parent.Err() == nil && s.intr.fired() {
		return errCancelled
	}
	return err
}

// formatElapsed writes a duration as psql does: milliseconds with three
// decimals, and seconds beyond a second.
func formatElapsed(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if d < time.Second {
		return fmt.Sprintf("%.3f ms", ms)
	}
	return fmt.Sprintf("%.3f ms (%s)", ms, d.Round(time.Millisecond))
}

// redact removes the connection's secrets from text shown to the user.
func (s *shell) redact(text string) string {
	for _, sec := range s.c.secrets {
		if sec != "" {
			text = strings.ReplaceAll(text, sec, "xxxxx")
		}
	}
	return text
}
