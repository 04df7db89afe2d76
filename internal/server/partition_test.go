package server

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sp(s string) *string { return &s }

func TestNewPartition(t *testing.T) {
	tests := []struct {
		name string
		rows [][]*string
		want string
	}{
		{"none", nil, `[]`},
		{"one cell", [][]*string{{sp("a")}}, `[["a"]]`},
		{"null", [][]*string{{nil, sp("")}}, `[[null,""]]`},
		{"empty row", [][]*string{{}}, `[[]]`},
		{"escapes", [][]*string{{sp("q\"b\\n\n\r\t\x01<>&")}}, `[["q\"b\\n\n\r\t\u0001<>&"]]`},
		{"unicode", [][]*string{{sp("é€😀\u2028")}}, `[["é€😀\u2028"]]`},
		{"invalid utf8", [][]*string{{sp("a\xffb")}}, `[["a\ufffdb"]]`},
		{"two rows", [][]*string{{sp("1"), sp("x")}, {sp("2"), nil}}, `[["1","x"],["2",null]]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPartition(tt.rows)
			assert.Equal(t, tt.want, string(p.JSON()))
			assert.Equal(t, int64(len(tt.rows)), p.RowCount())
			assert.True(t, json.Valid(p.JSON()))
		})
	}
}

func TestSplitRows(t *testing.T) {
	rows := make([][]*string, 5)
	for i := range rows {
		rows[i] = []*string{sp("r")}
	}
	tests := []struct {
		name string
		rows [][]*string
		size int
		want []int64
	}{
		{"no rows", nil, 2, nil},
		{"one partition by default", rows, 0, []int64{5}},
		{"exact", rows, 5, []int64{5}},
		{"uneven", rows, 2, []int64{2, 2, 1}},
		{"one each", rows, 1, []int64{1, 1, 1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, p := range SplitRows(tt.rows, tt.size) {
				got = append(got, p.RowCount())
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func FuzzNewPartition(f *testing.F) {
	for _, s := range []string{"", "a", "\"\\", "\x00\x1f", "é😀", "\xff\xfe", "\u2028\u2029", "<script>"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, withNull bool) {
		row := []*string{&s}
		if withNull {
			row = append(row, nil)
		}
		p := NewPartition([][]*string{row, row})
		var got [][]*string
		require.NoError(t, json.Unmarshal(p.JSON(), &got), "%q", p.JSON())
		require.Len(t, got, 2)
		want := s
		if !utf8.ValidString(s) {
			want = string([]rune(s)) // invalid bytes become U+FFFD, like encoding/json
		}
		for _, r := range got {
			require.Equal(t, want, *r[0])
			if withNull {
				require.Nil(t, r[1])
			}
		}
		std, err := json.Marshal(s)
		require.NoError(t, err)
		var stdBack string
		require.NoError(t, json.Unmarshal(std, &stdBack))
		require.Equal(t, stdBack, *got[0][0])
	})
}
