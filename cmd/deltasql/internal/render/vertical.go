package render

import (
	"strconv"
	"strings"

	"github.com/mattn/go-runewidth"
)

// vertical writes records one field per line, as psql's expanded display:
//
//	-[ RECORD 1 ]------
//	name      | db1
//	isdefault | true
type vertical struct {
	out     *output
	names   []string
	width   int // of the widest name
	records int64
	line    []byte
}

func newVertical(out *output, cols []column) *vertical {
	v := &vertical{out: out, names: make([]string, len(cols))}
	for i, c := range cols {
		v.names[i] = Escape(c.name)
		v.width = max(v.width, runewidth.StringWidth(v.names[i]))
	}
	return v
}

// record writes one record of already formatted cells.
func (v *vertical) record(cells []string) error {
	v.records++
	b := append(v.line[:0], "-[ RECORD "...)
	b = strconv.AppendInt(b, v.records, 10)
	b = append(b, " ]"...)
	widest := 0
	for _, cell := range cells {
		widest = max(widest, displayWidth(cell))
	}
	for n, end := len(b), max(len(b)+1, v.width+3+min(widest, 60)); n < end; n++ {
		b = append(b, '-')
	}
	b = append(b, '\n')
	for i, cell := range cells {
		for j, part := range strings.Split(cell, "\n") {
			name := ""
			if j == 0 {
				name = v.names[i]
			}
			b = pad(b, name, v.width, false)
			b = append(b, " | "...)
			b = append(b, part...)
			b = append(b, '\n')
		}
	}
	v.line = b
	_, err := v.out.Write(b)
	return err
}

// writeVertical streams every row as a record.
func writeVertical(out *output, rd *reader, o *Options) error {
	v := newVertical(out, rd.cols)
	cells := make([]string, len(rd.cols))
	var scratch []byte
	for {
		ok, err := rd.next()
		if !ok {
			if err == nil && o.Footer {
				err = footer(out, rd.count)
			}
			return err
		}
		for i, val := range rd.vals {
			cells[i], scratch = humanText(scratch, val, rd.cols[i].kind, o, true)
		}
		if err := v.record(cells); err != nil {
			return err
		}
	}
}
