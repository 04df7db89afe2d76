package pager

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNeeded(t *testing.T) {
	tests := []struct {
		name          string
		text          string
		height, width int
		want          bool
	}{
		{"short", "a\nb\n", 24, 80, false},
		{"tall", strings.Repeat("x\n", 30), 24, 80, true},
		{"wide", strings.Repeat("x", 100) + "\n", 24, 80, true},
		{"wide runes fit", strings.Repeat("é", 70) + "\n", 24, 80, false},
		{"no terminal", strings.Repeat("x\n", 30), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Needed([]byte(tt.text), tt.height, tt.width))
		})
	}
}

func TestCommand(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	assert.Equal(t, "most -s", Command(env(map[string]string{"PAGER": " most -s "})))
	assert.Equal(t, "", Command(env(map[string]string{"PAGER": ""})), "an empty PAGER disables paging")
	assert.NotEmpty(t, Command(env(nil)))
}

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Run(context.Background(), "tr a-z A-Z", []byte("paged\n"), &out, &out))
	assert.Equal(t, "PAGED\n", out.String())
}
