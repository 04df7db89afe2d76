package render

import (
	"database/sql"
	"database/sql/driver"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTableEveryType(t *testing.T) {
	got, _ := render(t, Options{Footer: true}, allTypes, allTypesRow(), make([]driver.Value, len(allTypes)))
	want := `           i          |     f    |    d   |   b  |     dt     |        tm        |              ts             |            ltz            |    bin   |   arr   |        s
----------------------+----------+--------+------+------------+------------------+-----------------------------+---------------------------+----------+---------+----------------
 -9223372036854775808 | 1.5e+300 | 123.00 | true | 2007-04-30 | 13:10:02.0474381 | 2007-04-30 13:10:02.0474381 | 2023-12-30 03:37:45-07:00 | YmluYXJ5 | [1,2,3] | héllo, "world"
                 NULL |     NULL |   NULL | NULL | NULL       | NULL             | NULL                        | NULL                      | NULL     | NULL    | NULL
(2 rows)
`
	assert.Equal(t, want, got)
}

func TestTableUnicodeWidths(t *testing.T) {
	cols := []mockCol{{"名前", "VARCHAR"}, {"n", "INTEGER"}}
	got, _ := render(t, Options{}, cols, []driver.Value{"日本語", int64(1)}, []driver.Value{"a", int64(22)}, []driver.Value{"é👍", int64(333)})
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	require.Len(t, lines, 5)
	bar := -1
	for _, l := range lines[2:] {
		pos := runewidth.StringWidth(l[:strings.Index(l, "|")])
		if bar >= 0 {
			assert.Equal(t, bar, pos, "column separators line up in terminal columns: %q", l)
		}
		bar = pos
	}
	assert.True(t, strings.HasSuffix(lines[2], "   1"), "numbers are right-aligned: %q", lines[2])
}

func TestTableFitsWidth(t *testing.T) {
	long := strings.Repeat("lorem ipsum dolor ", 40)
	cols := []mockCol{{"id", "INTEGER"}, {"text", "VARCHAR"}, {"note", "VARCHAR"}}
	got, _ := render(t, Options{Width: 60}, cols, []driver.Value{int64(7), long, "short"})
	for _, l := range strings.Split(strings.TrimRight(got, "\n"), "\n") {
		assert.LessOrEqual(t, runewidth.StringWidth(l), 60, "line %q", l)
	}
	assert.Contains(t, got, "short")
	assert.Contains(t, got, "…", "a value longer than maxCellLines lines is cut")
	assert.Greater(t, strings.Count(got, "\n"), 4, "long values wrap")
}

func TestExpanded(t *testing.T) {
	cols := []mockCol{{"a", "VARCHAR"}, {"bb", "VARCHAR"}}
	row := []driver.Value{strings.Repeat("x", 50), "y"}
	on, _ := render(t, Options{Expanded: ExpandedOn}, cols, row)
	assert.True(t, strings.HasPrefix(on, "-[ RECORD 1 ]"), on)
	assert.Contains(t, on, "a  | "+strings.Repeat("x", 50))
	auto, _ := render(t, Options{Expanded: ExpandedAuto, Width: 40}, cols, row)
	assert.True(t, strings.HasPrefix(auto, "-[ RECORD 1 ]"), auto)
	narrow, _ := render(t, Options{Expanded: ExpandedAuto, Width: 100}, cols, row)
	assert.Contains(t, narrow, "---+---", narrow)
}

// fakeClock fires FlushAfter timers when the test says so.
type fakeClock struct{ ch chan time.Time }

func (c fakeClock) After(time.Duration) <-chan time.Time { return c.ch }

// gatedRows hands out rows one at a time when the test sends them.
type gatedRows struct {
	*sql.Rows
	gate chan bool
}

func (g gatedRows) Next() bool { return <-g.gate && g.Rows.Next() }

// syncBuffer is a bytes.Buffer safe for the output's flushing goroutine.
type lockedBuffer struct {
	ch chan string
}

func (b lockedBuffer) Write(p []byte) (int, error) { b.ch <- string(p); return len(p), nil }

func TestTableStreamsContinuousRows(t *testing.T) {
	cols := []mockCol{{"user", "VARCHAR"}, {"n", "BIGINT"}}
	rs := mockRows(t, cols,
		[]driver.Value{"u1", int64(1)}, []driver.Value{"u2", int64(2)}, []driver.Value{"a much longer user", int64(3)})
	rows := gatedRows{rs, make(chan bool)}
	clock := fakeClock{make(chan time.Time)}
	out := lockedBuffer{make(chan string, 16)}
	done := make(chan error)
	go func() {
		_, err := Write(out, rows, Options{Clock: clock, FlushEvery: -1, Width: 80, Footer: true})
		done <- err
	}()
	rows.gate <- true // first row: held until the layout is fixed
	rows.gate <- true
	clock.ch <- time.Now() // FlushAfter passed: header and the first two rows
	rows.gate <- true      // wider row: columns grow, header repeated
	rows.gate <- false     // end
	require.NoError(t, <-done)
	close(out.ch)
	var all strings.Builder
	for s := range out.ch {
		all.WriteString(s)
	}
	want := " user | n\n" +
		"------+---\n" +
		" u1   | 1\n" +
		" u2   | 2\n" +
		"        user        | n\n" +
		"--------------------+---\n" +
		" a much longer user | 3\n" +
		"(3 rows)\n"
	assert.Equal(t, want, all.String())
}

func TestWriteErrorStopsReader(t *testing.T) {
	big := strings.Repeat("x", 70<<10) // more than the output buffer: the write fails at once
	for _, f := range []Format{Table, CSV, JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			rows := make([][]driver.Value, 2000) // more than the read-ahead queue holds
			for i := range rows {
				rows[i] = []driver.Value{big}
			}
			rs := mockRows(t, []mockCol{{"s", "VARCHAR"}}, rows...)
			stopped := false
			_, err := Write(failWriter{}, rs, Options{Format: f, BufferRows: 1, FlushEvery: -1, Stop: func() { stopped = true }})
			require.ErrorIs(t, err, assert.AnError)
			assert.True(t, stopped, "Stop is called so that a blocked reader returns")
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, assert.AnError }

func TestExpandedAutoStreams(t *testing.T) {
	cols := []mockCol{{"a", "VARCHAR"}, {"b", "INTEGER"}}
	got, sum := render(t, Options{Expanded: ExpandedAuto, Width: 20, BufferRows: 1, Footer: true}, cols,
		[]driver.Value{strings.Repeat("w", 30), int64(1)}, []driver.Value{"x\ny", nil})
	assert.Equal(t, int64(2), sum.Rows)
	assert.Equal(t, "-[ RECORD 1 ]---------------------\n"+
		"a | "+strings.Repeat("w", 30)+"\n"+
		"b | 1\n"+
		"-[ RECORD 2 ]-\n"+
		"a | x\n"+
		"  | y\n"+
		"b | NULL\n"+
		"(2 rows)\n", got)
}
