package deltastream_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Compile-time checks of the interfaces JSON implements.
var (
	_ sql.Scanner   = (*deltastream.JSON[int])(nil)
	_ driver.Valuer = deltastream.JSON[int]{}
)

type jsonPoint struct {
	K     string `json:"k"`
	Mixed int64
}

func TestJSONScan(t *testing.T) {
	tests := []struct {
		name    string
		scan    func() (any, error) // scans and returns the JSON value
		want    any
		errText string
	}{
		{"array from string", func() (any, error) {
			var j deltastream.JSON[[]int32]
			err := j.Scan("[1,2,3,4]")
			return j, err
		}, deltastream.JSON[[]int32]{V: []int32{1, 2, 3, 4}, Valid: true}, ""},
		{"map from bytes", func() (any, error) {
			var j deltastream.JSON[map[string]string]
			err := j.Scan([]byte(`{"k": "v"}`))
			return j, err
		}, deltastream.JSON[map[string]string]{V: map[string]string{"k": "v"}, Valid: true}, ""},
		{"struct keeps big integers exact", func() (any, error) {
			var j deltastream.JSON[jsonPoint]
			err := j.Scan(`{"k":"a","Mixed":9007199254740993}`)
			return j, err
		}, deltastream.JSON[jsonPoint]{V: jsonPoint{K: "a", Mixed: 9007199254740993}, Valid: true}, ""},
		{"raw text", func() (any, error) {
			var j deltastream.JSON[json.RawMessage]
			err := j.Scan(`{"k": [1]}`)
			return j, err
		}, deltastream.JSON[json.RawMessage]{V: json.RawMessage(`{"k": [1]}`), Valid: true}, ""},
		{"null resets", func() (any, error) {
			j := deltastream.JSON[[]int32]{V: []int32{1}, Valid: true}
			err := j.Scan(nil)
			return j, err
		}, deltastream.JSON[[]int32]{}, ""},
		{"nothing survives from the previous row", func() (any, error) {
			var j deltastream.JSON[map[string]int]
			if err := j.Scan(`{"a":1}`); err != nil {
				return j, err
			}
			err := j.Scan(`{"b":2}`)
			return j, err
		}, deltastream.JSON[map[string]int]{V: map[string]int{"b": 2}, Valid: true}, ""},
		{"invalid JSON", func() (any, error) {
			j := deltastream.JSON[[]int32]{V: []int32{1}, Valid: true}
			err := j.Scan("[1,")
			return j, err
		}, deltastream.JSON[[]int32]{}, "deltastream: cannot scan JSON text into JSON[[]int32]"},
		{"wrong JSON type", func() (any, error) {
			var j deltastream.JSON[[]int32]
			err := j.Scan(`{"a":1}`)
			return j, err
		}, deltastream.JSON[[]int32]{}, "cannot scan JSON text"},
		{"unsupported source", func() (any, error) {
			var j deltastream.JSON[[]int32]
			err := j.Scan(int64(5))
			return j, err
		}, deltastream.JSON[[]int32]{}, "deltastream: cannot scan int64 into JSON[[]int32]: want the JSON text of an ARRAY, MAP or STRUCT column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.scan()
			if tt.errText != "" {
				require.ErrorContains(t, err, tt.errText)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestJSONValue(t *testing.T) {
	v, err := deltastream.JSON[[]int32]{V: []int32{1, 2}, Valid: true}.Value()
	require.NoError(t, err)
	assert.Equal(t, "[1,2]", v)

	v, err = deltastream.JSON[[]int32]{V: []int32{1, 2}}.Value()
	require.NoError(t, err)
	assert.Nil(t, v)

	_, err = deltastream.JSON[func()]{V: func() {}, Valid: true}.Value()
	require.ErrorContains(t, err, "deltastream: cannot encode JSON[func()]")
}

// TestJSONArgument passes JSON as a statement argument: it is rendered as a
// string literal holding the JSON text, and NULL when not valid.
func TestJSONArgument(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.OnMatch(func(string) bool { return true }).Columns(dstest.Col("n", "INTEGER")).Rows([]any{"1"})
	db := openDB(t, srv)
	_, err := db.Exec("INSERT INTO t VALUES (?, ?);",
		deltastream.JSON[map[string]string]{V: map[string]string{"k": "it's"}, Valid: true},
		deltastream.JSON[[]int]{})
	require.NoError(t, err)
	subs := srv.Submissions()
	require.Len(t, subs, 1)
	// Arguments are padded with spaces (see README "Parameters").
	assert.Equal(t, `INSERT INTO t VALUES ( '{"k":"it''s"}' ,  NULL );`, subs[0].Statement.Statement)
}
