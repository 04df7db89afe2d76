package types

import (
	"database/sql"
	"database/sql/driver"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Compile-time checks of the interfaces JSON implements.
var (
	_ sql.Scanner   = (*JSON[int])(nil)
	_ driver.Valuer = JSON[int]{}
)

type point struct {
	K     string `json:"k"`
	Mixed int64
}

func TestJSONScan(t *testing.T) {
	t.Run("array from string", func(t *testing.T) {
		var j JSON[[]int32]
		require.NoError(t, j.Scan("[1,2,3,4]"))
		assert.True(t, j.Valid)
		assert.Equal(t, []int32{1, 2, 3, 4}, j.V)
	})
	t.Run("map from bytes", func(t *testing.T) {
		var j JSON[map[string]string]
		require.NoError(t, j.Scan([]byte(`{"k": "v"}`)))
		assert.True(t, j.Valid)
		assert.Equal(t, map[string]string{"k": "v"}, j.V)
	})
	t.Run("struct", func(t *testing.T) {
		var j JSON[point]
		require.NoError(t, j.Scan(`{"k":"a","Mixed":9007199254740993}`))
		assert.Equal(t, point{K: "a", Mixed: 9007199254740993}, j.V)
	})
	t.Run("null", func(t *testing.T) {
		j := JSON[[]int32]{V: []int32{1}, Valid: true}
		require.NoError(t, j.Scan(nil))
		assert.False(t, j.Valid)
		assert.Nil(t, j.V)
	})
	t.Run("reset between rows", func(t *testing.T) {
		var j JSON[map[string]int]
		require.NoError(t, j.Scan(`{"a":1}`))
		require.NoError(t, j.Scan(`{"b":2}`))
		assert.Equal(t, map[string]int{"b": 2}, j.V)
	})
	t.Run("invalid JSON", func(t *testing.T) {
		j := JSON[[]int32]{V: []int32{1}, Valid: true}
		err := j.Scan("[1,")
		require.ErrorContains(t, err, "deltastream: cannot scan JSON text into JSON[[]int32]")
		assert.False(t, j.Valid)
		assert.Nil(t, j.V)
	})
	t.Run("wrong JSON type", func(t *testing.T) {
		var j JSON[[]int32]
		require.Error(t, j.Scan(`{"a":1}`))
		assert.False(t, j.Valid)
	})
	t.Run("unsupported source", func(t *testing.T) {
		var j JSON[[]int32]
		require.EqualError(t, j.Scan(int64(5)), "deltastream: cannot scan int64 into JSON[[]int32]: want JSON text")
	})
}

func TestJSONValue(t *testing.T) {
	v, err := JSON[[]int32]{V: []int32{1, 2}, Valid: true}.Value()
	require.NoError(t, err)
	assert.Equal(t, "[1,2]", v)

	v, err = JSON[[]int32]{V: []int32{1, 2}}.Value()
	require.NoError(t, err)
	assert.Nil(t, v)

	_, err = JSON[func()]{V: func() {}, Valid: true}.Value()
	require.ErrorContains(t, err, "deltastream: cannot encode JSON[func()]")
}

// TestJSONThroughSQL scans converted composite cells through database/sql.
func TestJSONThroughSQL(t *testing.T) {
	col := NewColumn("ids", "ARRAY<INTEGER>", true, nil, nil, nil)
	v, err := col.Convert([]byte("[1,2,3,4]"), nil)
	require.NoError(t, err)
	dst := scanThroughSQL(t, v, reflect.TypeFor[JSON[[]int32]]())
	assert.Equal(t, JSON[[]int32]{V: []int32{1, 2, 3, 4}, Valid: true}, dst.Elem().Interface())

	dst = scanThroughSQL(t, nil, reflect.TypeFor[JSON[[]int32]]())
	assert.Equal(t, JSON[[]int32]{}, dst.Elem().Interface())
}
