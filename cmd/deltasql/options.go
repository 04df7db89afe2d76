package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
)

// options are the command line.
type options struct {
	dsn, server, data string
	exec              []string // -e, in order
	file              string   // -f
	format            render.Format
	onErrorContinue   bool
	limit             int64
	noPager           bool
	history           string
	historySet        bool
	expanded          render.Expanded
}

// multi collects a repeatable flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, "; ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func parseOptions(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("deltasql", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `deltasql: a SQL shell for DeltaStream.

Usage: deltasql [flags]

With no --dsn, DELTASTREAM_DSN or DELTASTREAM_TOKEN it runs against an
embedded emulator. Statements come from -e, -f, stdin when it is not a
terminal, or the interactive prompt (\? for help).

`)
		fs.PrintDefaults()
	}
	var format, onError, expanded string
	fs.StringVar(&o.dsn, "dsn", "", "connection `DSN` (https://:TOKEN@host/v2?...); default $DELTASTREAM_DSN")
	fs.StringVar(&o.server, "server", "", "API `URL` used with $DELTASTREAM_TOKEN; default $DELTASTREAM_SERVER or https://api.deltastream.io/v2")
	fs.StringVar(&o.data, "data", "", "embedded emulator: keep its data in `FILE` (default in memory)")
	fs.Var((*multi)(&o.exec), "e", "run `SQL` and exit (repeatable)")
	fs.StringVar(&o.file, "f", "", "run the statements of `FILE` and exit")
	fs.StringVar(&format, "format", "table", "output `format`: "+strings.Join(render.Formats(), "|"))
	fs.StringVar(&onError, "on-error", "stop", "after a failed statement: stop|continue")
	fs.Int64Var(&o.limit, "limit", 0, "stop reading a result after `N` rows (continuous queries too); 0 = all")
	fs.BoolVar(&o.noPager, "no-pager", false, "never page long results through $PAGER")
	fs.StringVar(&o.history, "history", "", "history `FILE` (default $XDG_STATE_HOME/deltasql/history); \"-\" keeps none")
	fs.StringVar(&expanded, "x", "off", "expanded display: off|on|auto")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: statements go in -e \"SQL\" or -f FILE", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "history" {
			o.historySet = true
		}
	})
	var err error
	if o.format, err = render.ParseFormat(format); err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	switch onError {
	case "stop":
	case "continue":
		o.onErrorContinue = true
	default:
		return nil, fmt.Errorf("--on-error %q: use stop or continue", onError)
	}
	if o.expanded, err = parseExpanded(expanded); err != nil {
		return nil, fmt.Errorf("-x: %w", err)
	}
	if o.limit < 0 {
		return nil, fmt.Errorf("--limit %d: give a positive number, or 0 for all rows", o.limit)
	}
	return o, nil
}

func parseExpanded(s string) (render.Expanded, error) {
	switch strings.ToLower(s) {
	case "off", "false":
		return render.ExpandedOff, nil
	case "on", "true", "":
		return render.ExpandedOn, nil
	case "auto":
		return render.ExpandedAuto, nil
	}
	return 0, fmt.Errorf("%q: use on, off or auto", s)
}
