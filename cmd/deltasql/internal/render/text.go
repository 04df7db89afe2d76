package render

import (
	"strings"

	"github.com/mattn/go-runewidth"
)

// humanText returns what the table, vertical and Markdown formats show for
// a value: o.Null for NULL, the service's text otherwise, with control
// characters escaped (line breaks kept when keepNewline).
func humanText(scratch []byte, v any, k kind, o *Options, keepNewline bool) (string, []byte) {
	if v == nil {
		return o.Null, scratch
	}
	scratch = appendValue(scratch[:0], v, k, false)
	if needsEscape(scratch, keepNewline) {
		return string(appendEscaped(nil, scratch, keepNewline)), scratch
	}
	return string(scratch), scratch
}

// displayWidth is the width of the widest line of s in terminal columns.
func displayWidth(s string) int {
	w := 0
	for line := range strings.SplitSeq(s, "\n") {
		w = max(w, runewidth.StringWidth(line))
	}
	return w
}

// fitWidths returns column widths no larger than natural whose table fits
// in width columns (each column takes its width plus 3 for padding and
// separator), sharing the space fairly: narrow columns keep their width,
// wide ones split what is left. No column gets less than minWidth, so a
// table with many columns may still overflow. width <= 0 means no limit.
func fitWidths(natural []int, width int) []int {
	out := append([]int(nil), natural...)
	if width <= 0 || len(natural) == 0 {
		return out
	}
	const minWidth = 6
	budget := width - 3*len(natural) + 1
	total := 0
	for _, w := range natural {
		total += w
	}
	if total <= budget {
		return out
	}
	// Give every column its natural width if it is under the fair share of
	// what remains, smallest first; the rest share the remainder evenly.
	idx := make([]int, len(natural))
	for i := range idx {
		idx[i] = i
	}
	for i := 1; i < len(idx); i++ { // insertion sort by natural width: few columns
		for j := i; j > 0 && natural[idx[j]] < natural[idx[j-1]]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
	left := len(idx)
	for _, i := range idx {
		share := max(budget/left, minWidth)
		if natural[i] <= share {
			out[i] = natural[i]
		} else {
			out[i] = share
		}
		budget -= out[i]
		left--
	}
	return out
}

// truncate shortens s to at most w columns, ending with "…" when cut.
func truncate(s string, w int) string {
	if runewidth.StringWidth(s) <= w {
		return s
	}
	return runewidth.Truncate(s, w, "…")
}

// pad pads s with spaces to w columns, on the left when right.
func pad(b []byte, s string, w int, right bool) []byte {
	n := w - runewidth.StringWidth(s)
	if right {
		for ; n > 0; n-- {
			b = append(b, ' ')
		}
		return append(b, s...)
	}
	b = append(b, s...)
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}
