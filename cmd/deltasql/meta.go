package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
)

// errQuit ends the shell (\q).
var errQuit = errors.New("quit")

const help = `Meta commands:
  \?                 this help
  \q                 quit (Ctrl-D too)
  \timing [on|off]   show how long each statement took
  \x [on|off|auto]   expanded (vertical) display; auto when a table is too wide
  \format NAME       output format: table, csv, tsv, json, jsonl, markdown, vertical
  \pager [on|off]    page long tables through $PAGER
  \i FILE            run the statements of FILE
  \o [FILE]          send results to FILE; without FILE back to the screen
  \watch SECONDS [N] run the last statement again every SECONDS (N times), until Ctrl-C
  \queries           LIST QUERIES;
  \terminate ID      TERMINATE QUERY ID;
  \c [DSN]           connect to DSN (or show the connection)
Statements end with ';' and may span lines. Ctrl-C cancels a running
statement or continuous query; at the prompt it drops the line.
`

// meta runs a backslash command. errQuit ends the shell; other errors
// were reported already and count as a failed statement.
func (s *shell) meta(ctx context.Context, line string) error {
	fields := strings.Fields(strings.TrimSpace(line))
	cmd, args := fields[0], fields[1:]
	arg := ""
	if len(args) > 0 {
		arg = args[0]
	}
	fail := func(format string, a ...any) error {
		err := fmt.Errorf(format, a...)
		s.report(err)
		return err
	}
	switch cmd {
	case `\?`, `\h`, `\help`:
		fmt.Fprint(s.out, help)
	case `\q`, `\quit`:
		return errQuit
	case `\timing`:
		on, err := toggle(arg, s.timing)
		if err != nil {
			return fail(`\timing: %v`, err)
		}
		s.timing = on
		fmt.Fprintf(s.stderr, "Timing is %s.\n", onOff(on))
	case `\pager`:
		on, err := toggle(arg, s.pager != "")
		if err != nil {
			return fail(`\pager: %v`, err)
		}
		s.pager = ""
		if on {
			s.pager = pagerCommand(s.getenv)
			if s.pager == "" {
				s.pager = "less"
			}
		}
		fmt.Fprintf(s.stderr, "Pager is %s.\n", onOff(on))
	case `\x`:
		if arg == "" { // toggle
			arg = "on"
			if s.expanded != render.ExpandedOff {
				arg = "off"
			}
		}
		x, err := parseExpanded(arg)
		if err != nil {
			return fail(`\x: %v`, err)
		}
		s.expanded = x
		fmt.Fprintf(s.stderr, "Expanded display is %s.\n", []string{"off", "on", "auto"}[x])
	case `\format`:
		if arg == "" {
			fmt.Fprintf(s.stderr, "Format is %s.\n", s.format)
			return nil
		}
		f, err := render.ParseFormat(arg)
		if err != nil {
			return fail(`\format: %v`, err)
		}
		s.format = f
	case `\i`, `\include`:
		if arg == "" {
			return fail(`\i: give a file name`)
		}
		data, err := os.ReadFile(arg)
		if err != nil {
			return fail(`\i: %v`, err)
		}
		return s.runScript(ctx, string(data), false)
	case `\o`, `\out`:
		return s.setOutput(arg)
	case `\watch`:
		return s.watch(ctx, args)
	case `\queries`:
		return s.runStatement(ctx, "LIST QUERIES;")
	case `\terminate`:
		if arg == "" {
			return fail(`\terminate: give a query id (see \queries)`)
		}
		return s.runStatement(ctx, "TERMINATE QUERY "+quoteID(arg)+";")
	case `\c`, `\connect`:
		return s.reconnect(ctx, arg)
	default:
		return fail(`unknown command %s: \? lists the commands`, render.Escape(cmd))
	}
	return nil
}

func toggle(arg string, cur bool) (bool, error) {
	switch strings.ToLower(arg) {
	case "":
		return !cur, nil
	case "on", "true":
		return true, nil
	case "off", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q: use on or off", arg)
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

var plainID = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// quoteID writes a query id so that it cannot end the statement: plain ids
// (UUIDs) as they are, anything else as a quoted identifier.
func quoteID(id string) string {
	if plainID.MatchString(id) {
		return id
	}
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

// setOutput sends results to a file (\o FILE) or back to stdout (\o).
func (s *shell) setOutput(path string) error {
	if s.outFile != nil {
		_ = s.outFile.Close()
		s.outFile = nil
	}
	s.out = s.stdout
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		err = fmt.Errorf(`\o: %w`, err)
		s.report(err)
		return err
	}
	s.outFile, s.out = f, f
	return nil
}

// watch runs the last statement again every interval, count times (0:
// until Ctrl-C or a failure).
func (s *shell) watch(ctx context.Context, args []string) error {
	if s.last == "" {
		err := errors.New(`\watch: no statement to run again yet`)
		s.report(err)
		return err
	}
	interval, count := 2*time.Second, 0
	if len(args) > 0 {
		sec, err := strconv.ParseFloat(args[0], 64)
		if err != nil || sec < 0 {
			err = fmt.Errorf(`\watch: %q: give the interval in seconds`, args[0])
			s.report(err)
			return err
		}
		interval = time.Duration(sec * float64(time.Second))
	}
	if len(args) > 1 {
		n, err := strconv.Atoi(args[1])
		if err != nil || n < 1 {
			err = fmt.Errorf(`\watch: %q: give how many times to run`, args[1])
			s.report(err)
			return err
		}
		count = n
	}
	stmt := s.last
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := 0; count == 0 || i < count; i++ {
		if i > 0 {
			s.intr.set(cancel)
			select {
			case <-wctx.Done():
			case <-s.after(interval):
			}
			s.intr.set(nil)
			if wctx.Err() != nil {
				return nil
			}
		}
		fmt.Fprintf(s.out, "%s (every %s)\n\n", time.Now().Format(time.DateTime), interval)
		if err := s.runStatement(wctx, stmt); err != nil {
			if errors.Is(err, errCancelled) {
				return nil
			}
			return err
		}
	}
	return nil
}

// reconnect replaces the connection (\c DSN) or shows it (\c).
func (s *shell) reconnect(ctx context.Context, dsn string) error {
	if dsn == "" {
		fmt.Fprintf(s.stderr, "Connected to %s.\n", s.clean(s.c.where))
		return nil
	}
	c, err := openDSN(ctx, dsn, nil)
	if err != nil {
		s.c.secrets = append(s.c.secrets, dsnSecret(dsn))
		err = fmt.Errorf(`\c: %w`, err)
		s.report(err)
		return err
	}
	old := s.c
	c.secrets = append(c.secrets, old.secrets...)
	s.c = c
	_ = old.Close()
	if s.completer != nil {
		s.completer.Invalidate()
	}
	fmt.Fprintf(s.stderr, "Connected to %s.\n", s.clean(c.where))
	if s.editor != nil {
		s.learnContext(ctx)
	}
	return nil
}

// dsnSecret is the password part of a DSN that failed to parse, so that it
// can still be masked.
func dsnSecret(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return ""
	}
	head := dsn[:at]
	if i := strings.Index(head, "://"); i >= 0 {
		head = head[i+3:]
	}
	if i := strings.Index(head, ":"); i >= 0 {
		return head[i+1:]
	}
	return head
}
