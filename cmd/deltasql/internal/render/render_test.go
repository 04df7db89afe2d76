package render

import (
	"database/sql/driver"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMachineFormatsEveryType(t *testing.T) {
	nulls := make([]driver.Value, len(allTypes))
	tests := []struct {
		format Format
		want   string
	}{
		{CSV, "i,f,d,b,dt,tm,ts,ltz,bin,arr,s\n" +
			`-9223372036854775808,1.5e+300,123.00,true,2007-04-30,13:10:02.0474381,2007-04-30T13:10:02.0474381Z,2023-12-30T03:37:45-07:00,YmluYXJ5,"[1,2,3]","héllo, ""world"""` + "\n" +
			",,,,,,,,,,\n"},
		{TSV, "i\tf\td\tb\tdt\ttm\tts\tltz\tbin\tarr\ts\n" +
			"-9223372036854775808\t1.5e+300\t123.00\ttrue\t2007-04-30\t13:10:02.0474381\t2007-04-30T13:10:02.0474381Z\t2023-12-30T03:37:45-07:00\tYmluYXJ5\t[1,2,3]\théllo, \"world\"\n" +
			`\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N` + "\n"},
		{JSONL, `{"i":-9223372036854775808,"f":1.5e+300,"d":123.00,"b":true,"dt":"2007-04-30","tm":"13:10:02.0474381","ts":"2007-04-30T13:10:02.0474381Z","ltz":"2023-12-30T03:37:45-07:00","bin":"YmluYXJ5","arr":[1,2,3],"s":"héllo, \"world\""}` + "\n" +
			`{"i":null,"f":null,"d":null,"b":null,"dt":null,"tm":null,"ts":null,"ltz":null,"bin":null,"arr":null,"s":null}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format.String(), func(t *testing.T) {
			got, sum := render(t, Options{Format: tt.format}, allTypes, allTypesRow(), nulls)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, int64(2), sum.Rows)
		})
	}
}

func TestNullDistinctFromEmpty(t *testing.T) {
	cols := []mockCol{{"s", "VARCHAR"}}
	tests := []struct {
		format Format
		want   string
	}{
		{CSV, "s\n\"\"\n\n"},
		{TSV, "s\n\n\\N\n"},
		{JSON, "[{\"s\":\"\"}\n,{\"s\":null}\n]\n"},
		{Markdown, "| s |\n|---|\n|  |\n| NULL |\n"},
		{Vertical, "-[ RECORD 1 ]-\ns | \n-[ RECORD 2 ]-\ns | NULL\n"},
		{Table, "   s\n------\n\n NULL\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format.String(), func(t *testing.T) {
			got, _ := render(t, Options{Format: tt.format}, cols, []driver.Value{""}, []driver.Value{nil})
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJSONIsValidAndExact(t *testing.T) {
	cols := []mockCol{{"f", "DOUBLE"}, {"d", "DECIMAL"}, {"m", "MAP"}, {"bad", "STRUCT"}, {"ctl", "VARCHAR"}}
	rows := [][]driver.Value{
		{math.NaN(), "1234567890123456789012345678.0123456789", `{"k": "v"}`, "{not json", "a\x1b[31mb\u009bc\n"},
		{math.Inf(-1), ".5", "{}", "[]", "\xff"},
	}
	got, _ := render(t, Options{Format: JSON}, cols, rows...)
	var decoded []map[string]any
	dec := json.NewDecoder(strings.NewReader(got))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&decoded), got)
	require.Len(t, decoded, 2)
	assert.Equal(t, "NaN", decoded[0]["f"])
	assert.Equal(t, json.Number("1234567890123456789012345678.0123456789"), decoded[0]["d"])
	assert.Equal(t, map[string]any{"k": "v"}, decoded[0]["m"])
	assert.Equal(t, "{not json", decoded[0]["bad"])
	assert.Equal(t, "a\x1b[31mb\u009bc\n", decoded[0]["ctl"])
	assert.NotContains(t, got, "\x1b", "control characters are escaped")
	assert.Equal(t, "-Infinity", decoded[1]["f"])
	assert.Equal(t, ".5", decoded[1]["d"], "not a JSON number: kept as a string")
	assert.Equal(t, "\ufffd", decoded[1]["ctl"])
}

func TestCSVReadsBack(t *testing.T) {
	values := []string{"", " lead", "a,b", `q"q`, "multi\nline", "cr\r", "plain", "ünï"}
	rows := make([][]driver.Value, len(values))
	for i, v := range values {
		rows[i] = []driver.Value{v, nil}
	}
	got, _ := render(t, Options{Format: CSV}, []mockCol{{"v", "VARCHAR"}, {"n", "VARCHAR"}}, rows...)
	r := csv.NewReader(strings.NewReader(got))
	recs, err := r.ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, len(values)+1)
	for i, v := range values {
		want := v
		if want == "cr\r" {
			want = "cr\r" // encoding/csv keeps a quoted CR
		}
		assert.Equal(t, want, recs[i+1][0])
	}
}

func TestTerminalEscapesControlCharacters(t *testing.T) {
	cols := []mockCol{{"x\x1b]0;t\x07", "VARCHAR"}}
	evil := "a\x1b[2Jb\tc\u009b"
	for _, f := range []Format{Table, CSV, TSV, Markdown, Vertical, JSONL} {
		t.Run(f.String(), func(t *testing.T) {
			got, _ := render(t, Options{Format: f, Terminal: true}, cols, []driver.Value{evil})
			assert.NotContains(t, got, "\x1b")
			assert.NotContains(t, got, "\u009b")
			assert.NotContains(t, got, "\x07")
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, n := range Formats() {
		f, err := ParseFormat(strings.ToUpper(n))
		require.NoError(t, err)
		assert.Equal(t, n, f.String())
	}
	_, err := ParseFormat("xml")
	assert.ErrorContains(t, err, "use one of table, csv")
}

func TestLimit(t *testing.T) {
	rows := [][]driver.Value{{int64(1)}, {int64(2)}, {int64(3)}}
	for _, f := range []Format{Table, CSV, JSONL, Vertical} {
		got, sum := render(t, Options{Format: f, Limit: 2}, []mockCol{{"n", "INTEGER"}}, rows...)
		assert.Equal(t, int64(2), sum.Rows, f.String())
		assert.True(t, sum.Limited)
		assert.NotContains(t, got, "3", f.String())
	}
}

func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "a\"b\\c", "\x00\x1f\x7f", "\u0085\u2028", "\xff\xfe", "héllo 世界"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendJSONString(nil, []byte(s))
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, out, err)
		}
		var want strings.Builder
		for _, r := range s { // each invalid byte is one U+FFFD
			want.WriteRune(r)
		}
		if back != want.String() {
			t.Fatalf("%q -> %s -> %q", s, out, back)
		}
	})
}

func FuzzCSVField(f *testing.F) {
	for _, s := range []string{"", " x", "a,b", "\"", "\r\n", "plain"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line := append(appendField(nil, []byte(s), ',', false), '\n')
		recs, err := csv.NewReader(strings.NewReader(string(line))).ReadAll()
		if err != nil {
			t.Fatalf("%q -> %q: %v", s, line, err)
		}
		if len(recs) != 1 || len(recs[0]) != 1 {
			t.Fatalf("%q -> %q -> %q", s, line, recs)
		}
		want := strings.ReplaceAll(s, "\r\n", "\n") // encoding/csv normalizes quoted CRLF
		if got := recs[0][0]; got != want && got != s {
			t.Fatalf("%q -> %q -> %q", s, line, got)
		}
	})
}
