package bind

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pos returns unnamed arguments with ordinals 1..n, as database/sql passes them.
func pos(values ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(values))
	for i, v := range values {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// named returns named arguments from name, value pairs.
func named(pairs ...any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(pairs)/2)
	for i := range out {
		out[i] = driver.NamedValue{Ordinal: i + 1, Name: pairs[2*i].(string), Value: pairs[2*i+1]}
	}
	return out
}

func TestRender(t *testing.T) {
	ts := time.Date(2024, 3, 9, 8, 7, 6, 500, time.UTC)
	tests := []struct {
		name  string
		query string
		args  []driver.NamedValue
		want  string
	}{
		{"no placeholders", "SELECT 1;", nil, "SELECT 1;"},
		{"no placeholders kept byte for byte", "SELECT 'a\nb' /* x */ -- ?", nil, "SELECT 'a\nb' /* x */ -- ?"},
		{"positional", "INSERT INTO t VALUES (?, ?, ?);", pos(int64(1), "a", nil), "INSERT INTO t VALUES ( 1 ,  'a' ,  NULL );"},
		{"positional at edges", "?", pos(true), " TRUE "},
		{"adjacent", "??", pos(int64(1), int64(2)), " 1  2 "},
		{"negative after minus", "SELECT 1-?", pos(int64(-1)), "SELECT 1- -1 "},
		{"negative float after minus", "SELECT 1-?", pos(-2.5), "SELECT 1- -2.5E0 "},
		{"numbered", "SELECT $2, $1", pos("a", "b"), "SELECT  'b' ,  'a' "},
		{"numbered reused", "SELECT $1 + $1", pos(int64(7)), "SELECT  7  +  7 "},
		{"numbered ten", "SELECT $10,$1,$2,$3,$4,$5,$6,$7,$8,$9", pos(1, 2, 3, 4, 5, 6, 7, 8, 9, 10),
			"SELECT  10 , 1 , 2 , 3 , 4 , 5 , 6 , 7 , 8 , 9 "},
		{"named", "SELECT @b, @a, @b", named("a", 1, "b", "x"), "SELECT  'x' ,  1 ,  'x' "},
		{"named any order", "SELECT @a, @b", named("b", 2, "a", 1), "SELECT  1 ,  2 "},
		{"quotes and comments untouched", "SELECT '?', \"?\", `?` -- ?\n, /* ? */ ?", pos("v"),
			"SELECT '?', \"?\", `?` -- ?\n, /* ? */  'v' "},
		{"string with quotes", "SELECT ?", pos("it's 'x'"), "SELECT  'it''s ''x''' "},
		{"injection attempt", "SELECT * FROM t WHERE a = ?", pos("x' OR '1'='1"), "SELECT * FROM t WHERE a =  'x'' OR ''1''=''1' "},
		{"comment-like string", "SELECT ?", pos("-- /* */"), "SELECT  '-- /* */' "},
		{"unicode", "SELECT ? AS \"列\"", pos("日本語 ✓"), "SELECT  '日本語 ✓'  AS \"列\""},
		{"bytes", "SELECT ?", pos([]byte{0x00, 0xab, 0x10}), "SELECT  X'00ab10' "},
		{"time", "SELECT ?", pos(ts), "SELECT  TIMESTAMP '2024-03-09 08:07:06.0000005' "},
		{"many arguments", strings.Repeat("?,", 20) + "?", pos(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20),
			" 0 , 1 , 2 , 3 , 4 , 5 , 6 , 7 , 8 , 9 , 10 , 11 , 12 , 13 , 14 , 15 , 16 , 17 , 18 , 19 , 20 "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.query)
			require.NoError(t, err)
			got, err := tpl.Render(tt.args)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRenderOrdinalsOutOfOrder(t *testing.T) {
	tpl, err := Parse("SELECT ?, ?")
	require.NoError(t, err)
	got, err := tpl.Render([]driver.NamedValue{{Ordinal: 2, Value: "b"}, {Ordinal: 1, Value: "a"}})
	require.NoError(t, err)
	assert.Equal(t, "SELECT  'a' ,  'b' ", got)
}

type failingValuer struct{}

func (failingValuer) Value() (driver.Value, error) { return nil, errors.New("boom") }

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name  string
		query string
		args  []driver.NamedValue
		want  string
	}{
		{"args without placeholders", "SELECT 1", pos(1), "statement has no placeholders but 1 argument was given"},
		{"named args without placeholders", "SELECT 1", named("a", 1), "statement has no placeholders but 1 argument was given"},
		{"too few", "SELECT ?, ?", pos(1), "statement has 2 ? placeholders but 1 argument was given"},
		{"too many", "SELECT ?", pos(1, 2), "statement has 1 ? placeholder but 2 arguments were given"},
		{"numbered too few", "SELECT $1, $2", pos(1), "statement has placeholders $1 to $2 but 1 argument was given"},
		{"none given", "SELECT ?", nil, "statement has 1 ? placeholder but 0 arguments were given"},
		{"named for positional", "SELECT ?", named("a", 1), "argument 1 is named (@a) but the statement uses ? placeholders"},
		{"named for numbered", "SELECT $1", named("a", 1), "argument 1 is named (@a) but the statement uses $1 placeholders"},
		{"unnamed for named", "SELECT @a", pos(1), "argument 1 is not named but the statement uses @name placeholders"},
		{"missing named", "SELECT @a, @b", named("a", 1), `no argument for @b; pass sql.Named("b", value)`},
		{"extra named", "SELECT @a", named("a", 1, "b", 2), "argument 2 (@b) matches no placeholder"},
		{"wrong case", "SELECT @a", named("A", 1), "argument 1 (@A) matches no placeholder"},
		{"duplicate named", "SELECT @a, @b", named("a", 1, "a", 2), "argument @a is given twice"},
		{"ordinal out of range", "SELECT ?", []driver.NamedValue{{Ordinal: 2, Value: 1}}, "argument 1 has ordinal 2, outside 1..1"},
		{"ordinal zero", "SELECT ?", []driver.NamedValue{{Value: 1}}, "argument 1 has ordinal 0"},
		{"duplicate ordinal", "SELECT ?, ?", []driver.NamedValue{{Ordinal: 1, Value: 1}, {Ordinal: 1, Value: 2}}, "two arguments have ordinal 1"},
		{"unsupported positional", "SELECT ?, ?", pos(1, map[string]int{}), "argument 2: unsupported type map[string]int"},
		{"unsupported numbered", "SELECT $1, $2", pos(1, map[string]int{}), "argument 2 ($2): unsupported type map[string]int"},
		{"unsupported named", "SELECT @a, @b", named("a", 1, "b", struct{}{}), "argument 2 (@b): unsupported type struct {}"},
		{"line break", "SELECT ?", pos("a\nb"), "argument 1: string contains a line break"},
		{"line break hints attachments", "SELECT ?", pos("a\rb"), "deltastream.WithAttachment"},
		{"valuer error", "SELECT ?", pos(failingValuer{}), "argument 1: type bind.failingValuer: Value: boom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := Parse(tt.query)
			require.NoError(t, err)
			got, err := tpl.Render(tt.args)
			require.Error(t, err)
			assert.Empty(t, got)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "deltastream: "), err.Error())
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	tpl, err := Parse("INSERT INTO t VALUES ($1, $2, $1)")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 100 {
				got, err := tpl.Render(pos(int64(i), int64(j)))
				assert.NoError(t, err)
				assert.Equal(t, "INSERT INTO t VALUES ( "+itoa(i)+" ,  "+itoa(j)+" ,  "+itoa(i)+" )", got)
			}
		})
	}
	wg.Wait()
}

// itoa formats a small int.
func itoa(i int) string {
	s, err := Value(int64(i))
	if err != nil {
		panic(err)
	}
	return s
}

// TestRenderWithDatabaseSQLNamed checks the shape database/sql gives named
// arguments: sql.Named values arrive as NamedValue with Name set.
func TestRenderWithDatabaseSQLNamed(t *testing.T) {
	arg := sql.Named("id", int64(5))
	tpl, err := Parse("SELECT * FROM t WHERE id = @id")
	require.NoError(t, err)
	got, err := tpl.Render([]driver.NamedValue{{Name: arg.Name, Ordinal: 1, Value: arg.Value}})
	require.NoError(t, err)
	assert.Equal(t, "SELECT * FROM t WHERE id =  5 ", got)
}
