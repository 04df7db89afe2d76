package wire

import (
	"bytes"
	"io"
	"math"
)

// Limits on what one answer may claim. They are far above anything the
// service sends, and they bound what a broken or hostile server can make
// the driver hold or do: the counts are checked on the JSON text before it
// is decoded, so an answer over a limit costs no more memory than its bytes.
const (
	// MaxColumns is the most columns a result may have.
	MaxColumns = 10_000
	// MaxPartitions is the most partitions a result may have; each costs
	// one GET.
	MaxPartitions = 100_000
	// MaxStatementIDs is the most statements one submission may list;
	// each costs at least one GET.
	MaxStatementIDs = 10_000
)

var (
	keyColumns       = []byte("columns")
	keyPartitionInfo = []byte("partitionInfo")
)

// scanner returns a Decoder over the complete JSON text b, for the counting
// passes below.
func scanner(b []byte) *Decoder {
	return &Decoder{buf: b, w: len(b), rerr: io.EOF, maxRow: math.MaxInt, state: decFrame, rowStart: -1, cell: -1}
}

// countElements returns the number of elements of the JSON array b, or
// stops counting past limit. Anything but an array counts 0; b was
// validated by the capture, so a syntax error only ends the count.
func countElements(b []byte, limit int) int {
	s := scanner(b)
	if !s.skipWS() || s.buf[s.r] != '[' {
		return 0
	}
	return s.countArray(limit)
}

// countMetadata returns the number of columns and partitions the metadata
// object b lists (the largest when a key appears twice), each counted to at
// most one past its limit, or -1 when its key is absent or not an array.
func countMetadata(b []byte) (cols, parts int) {
	cols, parts = -1, -1
	s := scanner(b)
	if !s.skipWS() || s.buf[s.r] != '{' {
		return
	}
	s.r++
	for {
		if !s.skipWS() {
			return
		}
		switch s.buf[s.r] {
		case ',':
			s.r++
			continue
		case '"':
		default: // '}' or broken
			return
		}
		key, err := s.readString(s.key[:0], true)
		s.key = key
		if err != nil || !s.skipWS() || s.buf[s.r] != ':' {
			return
		}
		s.r++
		if !s.skipWS() {
			return
		}
		switch {
		case s.buf[s.r] == '[' && bytes.EqualFold(key, keyColumns):
			cols = max(cols, s.countArray(MaxColumns))
		case s.buf[s.r] == '[' && bytes.EqualFold(key, keyPartitionInfo):
			parts = max(parts, s.countArray(MaxPartitions))
		default:
			if s.skipValue(2) != nil {
				return
			}
		}
		if cols > MaxColumns || parts > MaxPartitions {
			return
		}
	}
}

// newMetadata returns the Metadata that the JSON text of metadata with cols
// columns and parts partitions (-1: none) is decoded into: its slices are
// allocated once at their final size, so that encoding/json appends into
// them without growing them.
func newMetadata(cols, parts int) *Metadata {
	md := new(Metadata)
	if cols >= 0 {
		md.Columns = make([]Column, 0, cols)
	}
	if parts >= 0 {
		md.PartitionInfo = make([]PartitionInfo, 0, parts)
	}
	return md
}

// countArray consumes the array at s.r, counting its elements up to one
// past limit (then it stops, leaving the rest).
func (s *Decoder) countArray(limit int) int {
	s.r++
	n := 0
	for n <= limit {
		if !s.skipWS() {
			return n
		}
		switch s.buf[s.r] {
		case ']':
			s.r++
			return n
		case ',':
			s.r++
			continue
		}
		if s.skipValue(3) != nil {
			return n
		}
		n++
	}
	return n
}

// frameKeys are the keys of a WebSocket frame, matched case-insensitively.
var frameKeys = [...][]byte{[]byte("type"), []byte("headers"), []byte("columns"), []byte("data"), []byte("message"), []byte("sqlCode")}

// CheckFrame applies the rules of a result body to the JSON text of a
// WebSocket frame before it is decoded: a frame key that appears twice
// fails with ErrDuplicateKey, and more than MaxColumns columns with
// ErrLimit. Anything else, valid or not, is left to the decoding.
func CheckFrame(b []byte) error {
	s := scanner(b)
	s.what = "frame"
	if !s.skipWS() || s.buf[s.r] != '{' {
		return nil
	}
	s.r++
	var seen uint8
	for {
		if !s.skipWS() {
			return nil
		}
		switch s.buf[s.r] {
		case ',':
			s.r++
			continue
		case '"':
		default:
			return nil
		}
		key, err := s.readString(s.key[:0], true)
		s.key = key
		if err != nil || !s.skipWS() || s.buf[s.r] != ':' {
			return nil
		}
		s.r++
		if !s.skipWS() {
			return nil
		}
		for k, name := range frameKeys {
			if bytes.EqualFold(key, name) {
				if seen&(1<<k) != 0 {
					return s.fail(ErrDuplicateKey, "the key %q appears twice; the frame is malformed", name)
				}
				seen |= 1 << k
			}
		}
		if s.buf[s.r] == '[' && bytes.EqualFold(key, keyColumns) {
			if n := s.countArray(MaxColumns); n > MaxColumns {
				return s.fail(ErrLimit, "the frame lists more than %d columns; the driver's limit is %d", MaxColumns, MaxColumns)
			}
			continue
		}
		if s.skipValue(2) != nil {
			return nil
		}
	}
}
