// Package render writes query results in the shell's output formats:
// aligned tables, CSV, TSV, JSON, JSON lines, Markdown and vertical
// records. Every format but the table streams: memory does not grow with
// the result. The table collects its first rows to size its columns and
// then streams too, so that continuous queries show rows as they arrive.
package render

import (
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"
)

// Format is an output format.
type Format uint8

// The output formats.
const (
	Table Format = iota
	CSV
	TSV
	JSON
	JSONL
	Markdown
	Vertical
)

var formatNames = [...]string{"table", "csv", "tsv", "json", "jsonl", "markdown", "vertical"}

// String returns the name of the format, as ParseFormat accepts it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Formats lists the names of every format.
func Formats() []string { return append([]string(nil), formatNames[:]...) }

// ParseFormat returns the format named s (case-insensitive).
func ParseFormat(s string) (Format, error) {
	for i, n := range formatNames {
		if strings.EqualFold(s, n) {
			return Format(i), nil
		}
	}
	return 0, fmt.Errorf("unknown format %q: use one of %s", s, strings.Join(formatNames[:], ", "))
}

// Expanded selects the vertical layout for the table format.
type Expanded uint8

// Expanded settings, as psql's \x.
const (
	ExpandedOff  Expanded = iota
	ExpandedOn            // always one record per block
	ExpandedAuto          // vertical when the table is wider than Options.Width
)

// Rows is what Write reads; *sql.Rows implements it. Write calls Next,
// Scan and Err from one goroutine at a time, but not necessarily the
// caller's: the table format reads on a goroutine of its own, so that it
// can show rows of a continuous query while the next ones are awaited.
type Rows interface {
	ColumnTypes() ([]*sql.ColumnType, error)
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Clock gives the table format its timers; tests replace it.
type Clock interface {
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Options control Write. The zero value writes an unbounded table with no
// width limit.
type Options struct {
	Format   Format
	Expanded Expanded
	// Width is the terminal width in columns; 0 means no limit.
	Width int
	// Null is how NULL shows in the table, vertical and Markdown formats
	// ("NULL" when empty). CSV writes an empty unquoted field, TSV \N and
	// JSON null, so that NULL and the empty string stay apart everywhere.
	Null string
	// Limit stops reading after this many rows; 0 reads all.
	Limit int64
	// Terminal escapes control characters in every format: the output is
	// a terminal, and server text must not drive it.
	Terminal bool
	// Footer adds the row count after table and vertical output.
	Footer bool
	// BufferRows is how many rows the table collects before its layout is
	// fixed and it starts streaming (default 1000).
	BufferRows int
	// FlushAfter is how long the table waits for more rows, once it holds
	// one, before it fixes its layout and streams (default 500ms).
	FlushAfter time.Duration
	// Clock times FlushAfter; nil is the real clock.
	Clock Clock
	// FlushEvery is how often written rows are flushed to w while more
	// are awaited (default 100ms), so that rows of a continuous query show
	// up in a pipe too. Negative: only at the end.
	FlushEvery time.Duration
	// Stop, when set, is called if Write gives up before the rows end (its
	// output failed), so that a Next blocked on a continuous query returns:
	// typically the cancel func of the query's context. Write waits for
	// its reading goroutine before it returns, so without Stop a failed
	// write to a continuous query waits for the next row.
	Stop func()
	// OnStream, when set, is called when the table format fixes its layout
	// and starts streaming rows, before it writes them (the shell stops
	// holding output back for its pager there).
	OnStream func()
	// OnOutput, when set, is called once before the first byte is written
	// (the shell stops its spinner there).
	OnOutput func()
}

// Summary tells what Write did.
type Summary struct {
	Rows    int64 // rows written
	Limited bool  // reading stopped at Options.Limit
}

// Write reads rows and writes them to w in o.Format. It does not close
// rows. The error is the first of reading (rows.Err included) or writing.
func Write(w io.Writer, rows Rows, o Options) (Summary, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return Summary{}, err
	}
	if o.Null == "" {
		o.Null = "NULL"
	}
	if o.BufferRows <= 0 {
		o.BufferRows = 1000
	}
	if o.FlushAfter <= 0 {
		o.FlushAfter = 500 * time.Millisecond
	}
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.FlushEvery == 0 {
		o.FlushEvery = 100 * time.Millisecond
	}
	out := newOutput(w, o.OnOutput, o.FlushEvery)
	rd := newReader(rows, columnsOf(cts), o.Limit)
	if o.Format != Table || o.Expanded == ExpandedOn {
		rd.readAhead() // the table format reads on a goroutine of its own
	}
	switch o.Format {
	case CSV:
		err = writeDelimited(out, rd, &o, ',')
	case TSV:
		err = writeDelimited(out, rd, &o, '\t')
	case JSON, JSONL:
		err = writeJSON(out, rd, &o)
	case Markdown:
		err = writeMarkdown(out, rd, &o)
	case Vertical:
		err = writeVertical(out, rd, &o)
	default:
		if o.Expanded == ExpandedOn {
			err = writeVertical(out, rd, &o)
		} else {
			err = writeTable(out, rd, &o)
		}
	}
	if err != nil && o.Stop != nil {
		o.Stop() // a Next blocked on a continuous query returns
	}
	rd.close()
	if ferr := out.close(); err == nil {
		err = ferr
	}
	return Summary{Rows: rd.count, Limited: rd.limited}, err
}

// footer writes "(N rows)".
func footer(w io.Writer, n int64) error {
	s := "s"
	if n == 1 {
		s = ""
	}
	_, err := fmt.Fprintf(w, "(%d row%s)\n", n, s)
	return err
}
