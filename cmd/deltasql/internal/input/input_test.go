package input

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestComplete(t *testing.T) {
	fetches := 0
	c := NewCompleter(func(class string) ([]string, error) {
		fetches++
		switch class {
		case Databases:
			return []string{"demodb", "analytics"}, nil
		case Relations:
			return []string{"pageviews", "users", "pv_by_user"}, nil
		case Stores:
			return []string{"local", "msk"}, nil
		case Entities:
			return []string{"pageviews_topic"}, nil
		}
		return nil, errors.New("no " + class)
	})
	tests := []struct {
		line       string
		head, tail string
		want       []string
	}{
		{"SEL", "", "", []string{"SELECT"}},
		{"sel", "", "", []string{"select"}},
		{"SELECT * FROM p", "SELECT * FROM ", "", []string{"pageviews", "pv_by_user"}},
		{"USE DATABASE ", "USE DATABASE ", "", []string{"analytics", "demodb"}},
		{`\ti`, "", "", []string{`\timing`}},
		{"USE SCHEMA x", "USE SCHEMA ", "", nil},
		{"PRINT ENTITY pa", "PRINT ENTITY ", "", []string{"pageviews_topic"}},
		{"PRINT ENTITY x IN STORE m", "PRINT ENTITY x IN STORE ", "", []string{"msk"}},
	}
	for _, tt := range tests {
		head, got, tail := c.Complete(tt.line, len([]rune(tt.line)))
		assert.Equal(t, tt.head, head, tt.line)
		assert.Equal(t, tt.want, got, tt.line)
		assert.Equal(t, tt.tail, tail, tt.line)
	}
	_, _, _ = c.Complete("SELECT * FROM u", 15)
	assert.Equal(t, 5, fetches, "relations, databases, entities and stores fetched once each; failed schemas fetch not cached")
	c.Invalidate()
	_, got, _ := c.Complete("SELECT * FROM u", 15)
	assert.Equal(t, []string{"users"}, got)
	assert.Equal(t, 6, fetches)
}

func TestStorable(t *testing.T) {
	tests := []struct {
		entry string
		ok    bool
	}{
		{"LIST DATABASES;", true},
		{"CREATE SECRET s WITH ('x'='y');", false},
		{"CREATE STORE k WITH ('kafka.sasl.password' = 'p');", false},
		{`\c https://tok@host/v2`, false},
		{"SELECT 'tok-123' FROM x;", false},
		{"  ", false},
		{`\timing`, true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.ok, Storable(tt.entry, []string{"tok-123"}), tt.entry)
	}
}

func TestDefaultHistoryPath(t *testing.T) {
	assert.Equal(t, "/state/deltasql/history", DefaultHistoryPath(func(k string) string {
		if k == "XDG_STATE_HOME" {
			return "/state"
		}
		return ""
	}))
}

func FuzzComplete(f *testing.F) {
	for _, s := range []string{"", "SEL", `\ti`, "SELECT * FROM p", "USE DATABASE \"x", "é日本"} {
		f.Add(s, 3)
	}
	c := NewCompleter(func(string) ([]string, error) { return []string{"pageviews", "Users"}, nil })
	f.Fuzz(func(t *testing.T, line string, pos int) {
		if pos < 0 {
			pos = -pos
		}
		head, _, tail := c.Complete(line, pos%(len([]rune(line))+1))
		if got := []rune(head + tail); len(got) > len([]rune(line)) {
			t.Fatalf("head %q and tail %q are longer than the line %q", head, tail, line)
		}
	})
}
