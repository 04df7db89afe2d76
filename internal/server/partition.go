package server

import (
	"unicode/utf8"
)

// Partition is one page of a result, encoded once as the JSON text of the
// `data` array so that serving it is a plain write. The zero Partition is
// an empty partition. Partitions are immutable and may be shared by any
// number of statements.
type Partition struct {
	rows int64
	data []byte // JSON array of rows; nil means "[]"
}

// NewPartition encodes rows (each cell a string or nil for NULL) as one
// partition. The rows are not retained.
func NewPartition(rows [][]*string) Partition {
	if len(rows) == 0 {
		return Partition{}
	}
	size := 2
	for _, row := range rows {
		size += 3 + len(row)
		for _, c := range row {
			if c == nil {
				size += 4
			} else {
				size += len(*c) + 2
			}
		}
	}
	b := make([]byte, 0, size+size/16)
	b = append(b, '[')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRow(b, row)
	}
	b = append(b, ']')
	return Partition{rows: int64(len(rows)), data: b}
}

// SplitRows encodes rows as partitions of at most size rows each. size <= 0
// means a single partition. No rows give no partitions.
func SplitRows(rows [][]*string, size int) []Partition {
	if len(rows) == 0 {
		return nil
	}
	if size <= 0 || size >= len(rows) {
		return []Partition{NewPartition(rows)}
	}
	parts := make([]Partition, 0, (len(rows)+size-1)/size)
	for start := 0; start < len(rows); start += size {
		end := min(start+size, len(rows))
		parts = append(parts, NewPartition(rows[start:end]))
	}
	return parts
}

// RowCount is the number of rows in the partition.
func (p Partition) RowCount() int64 { return p.rows }

// JSON returns the partition's `data` array as JSON text. The caller must
// not modify it.
func (p Partition) JSON() []byte {
	if p.data == nil {
		return emptyArray
	}
	return p.data
}

var emptyArray = []byte("[]")

// appendRow appends one row as a JSON array of strings and nulls.
func appendRow(b []byte, row []*string) []byte {
	b = append(b, '[')
	for j, c := range row {
		if j > 0 {
			b = append(b, ',')
		}
		if c == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *c)
		}
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// plain marks the ASCII bytes that JSON strings hold unescaped.
var plain = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// like encoding/json; HTML characters are left alone.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
