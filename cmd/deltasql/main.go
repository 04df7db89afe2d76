// Command deltasql is a SQL shell for DeltaStream, in the class of psql:
// line editing with history and completion, meta commands, tables that fit
// the terminal and machine formats, continuous queries shown as they
// arrive. It talks to the service through the deltastream database/sql
// driver, like any program would. With nothing configured it starts the
// local emulator in-process:
//
//	go run ./cmd/deltasql                      # interactive, embedded emulator
//	go run ./cmd/deltasql -e "LIST DATABASES;" # one statement
//	DELTASTREAM_TOKEN=... deltasql --format csv -f report.sql
//
// Run deltasql -h for the flags and \? at the prompt for meta commands.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/input"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/pager"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/statements"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv))
}

// Exit statuses.
const (
	exitOK        = 0
	exitFailed    = 1 // a statement failed
	exitUsage     = 2
	exitCancelled = 130 // Ctrl-C in one-shot mode
)

// run is the shell: it parses args, connects, runs the statements of -e,
// -f or stdin, or the interactive loop when stdin is a terminal, and
// returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "deltasql: %v\n", err)
		return exitUsage
	}
	term := detectTerminal(stdin, stdout, stderr)
	oneShot := len(o.exec) > 0 || o.file != "" || !term.inTTY
	ctx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	var idle func() // interactive: Ctrl-C between statements does nothing
	if oneShot {
		idle = stopAll // one-shot: Ctrl-C between statements ends the run
	}
	c, err := connect(ctx, o, getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "deltasql: %v\n", err)
		return exitFailed
	}
	s := &shell{
		c: c, stdout: stdout, stderr: stderr, out: stdout, term: term,
		format: o.format, expanded: o.expanded, limit: o.limit,
		getenv: getenv, after: time.After, intr: newInterrupter(idle),
	}
	if !o.noPager {
		s.pager = pager.Command(lookupEnv)
	}
	defer func() {
		s.intr.stop()
		_ = s.setOutput("")
		_ = s.c.Close()
	}()

	if !oneShot {
		s.timing = true
		history := o.history
		if !o.historySet {
			history = input.DefaultHistoryPath(getenv)
		}
		if history == "-" {
			history = ""
		}
		return s.interactive(ctx, history)
	}
	switch {
	case len(o.exec) > 0 || o.file != "":
		err = s.runSources(ctx, o, !o.onErrorContinue)
	default:
		err = s.runReader(ctx, stdin, !o.onErrorContinue)
	}
	switch {
	case errors.Is(err, errCancelled) || ctx.Err() != nil:
		return exitCancelled
	case errors.Is(err, errUsage):
		return exitUsage
	case err != nil:
		return exitFailed
	}
	return exitOK
}

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

// pagerCommand is the pager command line from the environment.
func pagerCommand(getenv func(string) string) string {
	return pager.Command(func(k string) (string, bool) {
		v := getenv(k)
		return v, strings.TrimSpace(v) != ""
	})
}
