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
	// The line editor needs a terminal on both sides; otherwise statements
	// are read from stdin as they come, without a prompt.
	oneShot := len(o.exec) > 0 || o.file != "" || !term.inTTY || !term.outTTY
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

// pagerCommand is the pager command line from the environment.
func pagerCommand(getenv func(string) string) string {
	return pager.Command(func(k string) (string, bool) {
		v := getenv(k)
		return v, strings.TrimSpace(v) != ""
	})
}
