package render

import (
	"strings"
	"time"

	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"
)

// maxCellLines bounds how many lines a wrapped cell takes in a fitted
// table; longer values are truncated with "…".
const maxCellLines = 8

// psqlStyle draws tables the way psql does: no outer border, '|' between
// columns, a dashed line under the header.
var psqlStyle = func() table.Style {
	st := table.StyleDefault
	st.Name = "psql"
	st.Box.MiddleHorizontal = "-"
	st.Box.MiddleSeparator = "+"
	st.Box.MiddleVertical = "|"
	st.Box.PaddingLeft = " "
	st.Box.PaddingRight = " "
	st.Options = table.Options{SeparateColumns: true, SeparateHeader: true}
	st.Format.Header = text.FormatDefault
	st.Format.HeaderAlign = text.AlignCenter
	return st
}()

// tableRows are formatted cells of a table: the first rows collected
// before the layout is fixed.
type tableRows struct {
	cols    []column
	rows    [][]string
	natural []int // widest line of each column, header included
}

func newTableRows(cols []column) *tableRows {
	t := &tableRows{cols: cols, natural: make([]int, len(cols))}
	for i, c := range cols {
		t.natural[i] = displayWidth(Escape(c.name))
	}
	return t
}

func (t *tableRows) add(cells []string) {
	for i, c := range cells {
		t.natural[i] = max(t.natural[i], displayWidth(c))
	}
	t.rows = append(t.rows, cells)
}

// tooWide reports whether the natural layout is wider than width.
func (t *tableRows) tooWide(width int) bool {
	if width <= 0 {
		return false
	}
	total := 3*len(t.natural) - 1
	for _, w := range t.natural {
		total += w
	}
	return total > width
}

// render draws the collected rows as one table fitted to width: narrow
// columns keep their width, wide values are wrapped at spaces and cut
// after maxCellLines lines, numbers are right-aligned.
func (t *tableRows) render(width int) string {
	widths := fitWidths(t.natural, width)
	tw := table.NewWriter()
	tw.SetStyle(psqlStyle)
	header := make(table.Row, len(t.cols))
	configs := make([]table.ColumnConfig, len(t.cols))
	for i, c := range t.cols {
		header[i] = Escape(c.name)
		configs[i] = table.ColumnConfig{Number: i + 1, AlignHeader: text.AlignCenter}
		if c.kind.numeric() {
			configs[i].Align = text.AlignRight
		}
		if widths[i] < t.natural[i] {
			configs[i].WidthMax = widths[i]
			configs[i].WidthMaxEnforcer = text.WrapSoft
		}
	}
	tw.AppendHeader(header)
	tw.SetColumnConfigs(configs)
	for _, cells := range t.rows {
		row := make(table.Row, len(cells))
		for i, c := range cells {
			if widths[i] < t.natural[i] {
				c = truncate(c, widths[i]*maxCellLines)
			}
			row[i] = c
		}
		tw.AppendRow(row)
	}
	return trimLines(tw.Render())
}

// trimLines removes the padding go-pretty leaves at the end of lines.
func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// writeTable reads rows on a goroutine and collects them until the rows
// end (then it draws one fitted table), until o.BufferRows are collected
// or until o.FlushAfter passed since the first one: then the layout is
// fixed from the rows at hand and the table streams, growing a column and
// repeating the header when a later value needs more room.
func writeTable(out *output, rd *reader, o *Options) error {
	type msg struct{ vals []any }
	ch := make(chan msg, 64)
	var readErr error
	go func() {
		defer close(ch)
		for {
			ok, err := rd.next()
			if !ok {
				readErr = err
				return
			}
			ch <- msg{append([]any(nil), rd.vals...)}
		}
	}()
	// drain lets the reader finish after a failure here.
	drain := func(err error) error {
		if o.Stop != nil {
			o.Stop()
		}
		for range ch {
		}
		return err
	}

	collected := newTableRows(rd.cols)
	var (
		timer    <-chan time.Time
		scratch  []byte
		streamer rowWriter
		count    int64
	)
	format := func(vals []any) []string {
		_, vertical := streamer.(verticalWriter)
		keepNewline := streamer == nil || vertical // a streamed table row is one line
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i], scratch = humanText(scratch, v, rd.cols[i].kind, o, keepNewline)
		}
		return cells
	}
	startStreaming := func() error {
		timer = nil
		if o.OnStream != nil {
			o.OnStream()
		}
		if o.Expanded == ExpandedAuto && collected.tooWide(o.Width) {
			streamer = verticalWriter{newVertical(out, rd.cols)}
		} else {
			streamer = newStreamTable(out, rd.cols, collected.natural, o.Width)
		}
		if err := streamer.header(); err != nil {
			return err
		}
		for _, cells := range collected.rows {
			if err := streamer.row(oneLine(cells, streamer)); err != nil {
				return err
			}
		}
		collected.rows = nil
		return nil
	}
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return finishTable(out, collected, streamer, count, readErr, o)
			}
			count++
			cells := format(m.vals)
			if streamer != nil {
				if err := streamer.row(cells); err != nil {
					return drain(err)
				}
				continue
			}
			collected.add(cells)
			if len(collected.rows) == 1 {
				timer = o.Clock.After(o.FlushAfter)
			}
			if len(collected.rows) >= o.BufferRows {
				if err := startStreaming(); err != nil {
					return drain(err)
				}
			}
		case <-timer:
			if err := startStreaming(); err != nil {
				return drain(err)
			}
		}
	}
}

// finishTable writes what is left once the rows ended.
func finishTable(out *output, collected *tableRows, streamer rowWriter, count int64, readErr error, o *Options) error {
	if streamer == nil {
		var s string
		if o.Expanded == ExpandedAuto && collected.tooWide(o.Width) {
			v := newVertical(out, collected.cols)
			for _, cells := range collected.rows {
				if err := v.record(cells); err != nil {
					return err
				}
			}
		} else {
			s = collected.render(o.Width)
			if _, err := out.Write([]byte(s + "\n")); err != nil {
				return err
			}
		}
	}
	if readErr != nil {
		return readErr
	}
	if o.Footer {
		return footer(out, count)
	}
	return nil
}

// oneLine re-escapes collected cells (which kept their line breaks for a
// fitted table) for a streamed table, whose rows are one line each.
func oneLine(cells []string, w rowWriter) []string {
	if _, ok := w.(verticalWriter); ok {
		return cells
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = Escape(c)
	}
	return out
}
