package jsontest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestObjectKeys(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		want   [][]string
		sorted bool
	}{
		{"flat", `{"a":1,"b":"x"}`, [][]string{{"a", "b"}}, true},
		{"nested, inner first", `{"data":[["1"]],"metadata":{"columns":[{"name":"n","type":"T"}],"context":{}},"sqlState":"00000"}`,
			[][]string{{"name", "type"}, {}, {"columns", "context"}, {"data", "metadata", "sqlState"}}, true},
		{"legacy order", `{"sqlState":"00000","data":[]}`, [][]string{{"sqlState", "data"}}, false},
		{"no object", `["a",null]`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ObjectKeys([]byte(tt.body))
			require.NoError(t, err)
			assert.Equal(t, len(tt.want), len(got))
			for i := range tt.want {
				assert.ElementsMatch(t, tt.want[i], got[i])
			}
			assert.Equal(t, tt.sorted, CheckServiceOrder([]byte(tt.body)) == nil)
		})
	}
	_, err := ObjectKeys([]byte(`{"a":`))
	assert.Error(t, err)
}
