package render

// rowWriter writes rows once the layout is fixed.
type rowWriter interface {
	header() error
	row(cells []string) error
}

// verticalWriter streams records (\x auto with a wide first screen).
type verticalWriter struct{ v *vertical }

func (w verticalWriter) header() error            { return nil }
func (w verticalWriter) row(cells []string) error { return w.v.record(cells) }

// streamTable writes a table one row at a time, in the same layout as the
// fitted table. Each row is one line: values wider than their column are
// cut with "…". When a value needs more room than its column has and the
// width allows more, the columns are re-fitted and the header repeated.
type streamTable struct {
	out     *output
	cols    []column
	natural []int
	width   int
	widths  []int
	line    []byte
}

func newStreamTable(out *output, cols []column, natural []int, width int) *streamTable {
	n := append([]int(nil), natural...)
	return &streamTable{out: out, cols: cols, natural: n, width: width, widths: fitWidths(n, width)}
}

func (t *streamTable) header() error {
	b := t.line[:0]
	for i, c := range t.cols {
		if i > 0 {
			b = append(b, '|')
		}
		name := truncate(Escape(c.name), t.widths[i])
		left := (t.widths[i] - displayWidth(name) + 1) / 2 // as go-pretty centers
		b = append(b, ' ')
		b = pad(b, "", left, false)
		b = pad(b, name, t.widths[i]-left, false)
		b = append(b, ' ')
	}
	b = trimRight(b)
	b = append(b, '\n')
	for i, w := range t.widths {
		if i > 0 {
			b = append(b, '+')
		}
		for range w + 2 {
			b = append(b, '-')
		}
	}
	b = append(b, '\n')
	t.line = b
	_, err := t.out.Write(b)
	return err
}

func (t *streamTable) row(cells []string) error {
	grown := false
	for i, c := range cells {
		if w := displayWidth(c); w > t.natural[i] {
			t.natural[i] = w
			grown = true
		}
	}
	if grown {
		if widths := fitWidths(t.natural, t.width); !equalInts(widths, t.widths) {
			t.widths = widths
			if err := t.header(); err != nil {
				return err
			}
		}
	}
	b := t.line[:0]
	for i, c := range cells {
		if i > 0 {
			b = append(b, '|')
		}
		b = append(b, ' ')
		b = pad(b, truncate(c, t.widths[i]), t.widths[i], t.cols[i].kind.numeric())
		b = append(b, ' ')
	}
	b = trimRight(b)
	b = append(b, '\n')
	t.line = b
	_, err := t.out.Write(b)
	return err
}

func trimRight(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
