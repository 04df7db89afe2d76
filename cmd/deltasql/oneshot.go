package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
)

// errUsage marks a one-shot run that could not read its statements.
var errUsage = errors.New("usage")

// runSources runs the -e statements, then the -f file.
func (s *shell) runSources(ctx context.Context, o *options, stopOnError bool) error {
	var failed error
	for _, text := range o.exec {
		err := s.runScript(ctx, text, stopOnError)
		if err != nil && (stopOnError || errors.Is(err, errCancelled) || ctx.Err() != nil) {
			return err
		}
		if err != nil {
			failed = err
		}
	}
	if o.file == "" {
		return failed
	}
	f, err := os.Open(o.file)
	if err != nil {
		fmt.Fprintf(s.stderr, "deltasql: -f: %v\n", err)
		return errUsage
	}
	defer f.Close()
	if err := s.runReader(ctx, f, stopOnError); err != nil {
		return err
	}
	return failed
}

// runReader runs the statements read from r as each one is complete, so
// that a slow pipe feeds the shell statement by statement and a large file
// is never held whole. A last statement without ';' runs at the end.
func (s *shell) runReader(ctx context.Context, r io.Reader, stopOnError bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	var buf strings.Builder
	var failed error
	run := func(stmts []string) error {
		for _, st := range stmts {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			err := s.runStatement(ctx, st)
			if err != nil && (stopOnError || errors.Is(err, errCancelled)) {
				return err
			}
			if err != nil {
				failed = err
			}
		}
		return nil
	}
	for sc.Scan() {
		buf.WriteString(sc.Text())
		buf.WriteByte('\n')
		if !strings.Contains(sc.Text(), ";") {
			continue
		}
		stmts, rest := statements.Split(buf.String())
		buf.Reset()
		buf.WriteString(rest)
		if err := run(stmts); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(s.stderr, "deltasql: reading statements: %v\n", err)
		return errUsage
	}
	if rest := buf.String(); !statements.IsBlank(rest) {
		if err := run([]string{rest}); err != nil {
			return err
		}
	}
	return failed
}

// runScript runs the statements of a script (-f, \i, stdin). A trailing
// statement without ';' runs too. With stopOnError (or --on-error stop in
// one-shot mode) the first failure ends the script.
func (s *shell) runScript(ctx context.Context, text string, stopOnError bool) error {
	stmts, rest := statements.Split(text)
	if !statements.IsBlank(rest) {
		stmts = append(stmts, rest)
	}
	var failed error
	for _, st := range stmts {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		err := s.runStatement(ctx, st)
		if errors.Is(err, errCancelled) {
			return err
		}
		if err != nil {
			failed = err
			if stopOnError {
				return err
			}
		}
	}
	return failed
}
