package input

import (
	"sort"
	"strings"
	"sync"
)

// Object classes that completion fetches names of.
const (
	Databases = "databases"
	Schemas   = "schemas"
	Relations = "relations"
	Stores    = "stores"
	Entities  = "entities" // topics of the current store
)

// keywords are DeltaStream SQL words offered by completion.
var keywords = []string{
	"ALTER", "AND", "AS", "BETWEEN", "BY", "CASE", "CHANGELOG", "COLUMNS", "COMPUTE_POOL",
	"CREATE", "DATABASE", "DATABASES", "DESCRIBE", "DISTINCT", "DROP", "ELSE", "END", "ENTITIES",
	"ENTITY", "FROM", "FUNCTION", "FUNCTIONS", "GROUP", "HAVING", "HOP", "IN", "INSERT", "INTO",
	"IS", "JOIN", "LEFT", "LIMIT", "LIST", "MATERIALIZED", "NOT", "NULL", "ON", "OR", "ORDER",
	"PRINT", "QUERIES", "QUERY", "RELATION", "RELATIONS", "RESTART", "ROLE", "ROLES", "SCHEMA",
	"SCHEMAS", "SCHEMA_REGISTRY", "SECRET", "SECRETS", "SELECT", "SESSION", "SHOW", "STORE",
	"STORES", "STREAM", "TABLE", "TERMINATE", "THEN", "TUMBLE", "USE", "VIEW", "WHEN", "WHERE",
	"WINDOW", "WITH",
}

// metaCommands are the backslash commands offered at the start of a line.
var metaCommands = []string{`\?`, `\c`, `\format`, `\i`, `\o`, `\pager`, `\q`, `\queries`, `\terminate`, `\timing`, `\watch`, `\x`}

// Completer completes the word under the cursor: meta commands at the
// start of a line, object names after the words that introduce them
// (FROM, DATABASE, SCHEMA, STORE, ENTITY...), keywords elsewhere. Object names
// are fetched on first use and cached until Invalidate. It is safe for
// concurrent use.
type Completer struct {
	fetch func(class string) ([]string, error)

	mu    sync.Mutex
	cache map[string][]string
}

// NewCompleter returns a Completer that asks fetch for the names of a
// class (Databases, Schemas, Relations, Stores, Entities) in the current
// context.
func NewCompleter(fetch func(class string) ([]string, error)) *Completer {
	return &Completer{fetch: fetch, cache: map[string][]string{}}
}

// Invalidate forgets fetched names, after a statement that may have
// changed them or the context.
func (c *Completer) Invalidate() {
	c.mu.Lock()
	c.cache = map[string][]string{}
	c.mu.Unlock()
}

// Prime caches names of a class fetched by other means (the shell learns
// the database names at startup), so that the first Tab needs no request.
func (c *Completer) Prime(class string, names []string) {
	c.mu.Lock()
	c.cache[class] = names
	c.mu.Unlock()
}

func (c *Completer) names(class string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if names, ok := c.cache[class]; ok {
		return names
	}
	names, err := c.fetch(class)
	if err != nil {
		return nil // not cached: the next Tab tries again
	}
	c.cache[class] = names
	return names
}

// classAfter maps the word before the cursor to the names it introduces.
var classAfter = map[string]string{
	"FROM": Relations, "JOIN": Relations, "INTO": Relations, "RELATION": Relations,
	"DESCRIBE": Relations, "STREAM": Relations, "CHANGELOG": Relations, "TABLE": Relations,
	"DATABASE": Databases, "SCHEMA": Schemas, "STORE": Stores, "ENTITY": Entities,
}

// Complete implements liner.WordCompleter.
func (c *Completer) Complete(line string, pos int) (head string, completions []string, tail string) {
	runes := []rune(line)
	if pos > len(runes) {
		pos = len(runes)
	}
	start := pos
	for start > 0 && isWordRune(runes[start-1]) {
		start--
	}
	head, word, tail := string(runes[:start]), string(runes[start:pos]), string(runes[pos:])
	if strings.TrimSpace(head) == "" && strings.HasPrefix(word, `\`) {
		return head, withPrefix(metaCommands, word, false), tail
	}
	prev := ""
	if fields := strings.Fields(head); len(fields) > 0 {
		prev = strings.ToUpper(fields[len(fields)-1])
	}
	if class, ok := classAfter[prev]; ok {
		if names := withPrefix(c.names(class), word, false); len(names) > 0 {
			return head, names, tail
		}
	}
	lower := word != "" && strings.ToLower(word) == word
	return head, withPrefix(keywords, word, lower), tail
}

func isWordRune(r rune) bool {
	return r == '_' || r == '.' || r == '"' || r == '\\' || r >= '0' && r <= '9' ||
		r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
}

// withPrefix returns the candidates that start with prefix, ignoring case,
// sorted; lower turns them to lower case.
func withPrefix(cands []string, prefix string, lower bool) []string {
	var out []string
	p := strings.ToLower(strings.TrimPrefix(prefix, `"`))
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), p) {
			if lower {
				c = strings.ToLower(c)
			}
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}
