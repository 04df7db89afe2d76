package emulator_test

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

// readN reads n rows of an open continuous query as strings.
func readN(t testing.TB, rows *sql.Rows, n int) [][]string {
	t.Helper()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for len(out) < n {
		require.True(t, rows.Next(), "row %d: %v", len(out), rows.Err())
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	return out
}

const createPageviews = `CREATE STREAM pageviews (viewtime BIGINT, userid VARCHAR, pageid VARCHAR) WITH ('value.format' = 'json', 'timestamp' = 'viewtime')`

func TestContinuousSelect(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  [][]string // rows after the three inserts of the test
		cols  []string
	}{
		{
			name:  "earliest with projection and WHERE",
			query: `SELECT userid, viewtime * 2 AS t2 FROM pageviews WITH ('starting.position' = 'earliest') WHERE pageid <> 'p2'`,
			cols:  []string{"userid", "t2"},
			want:  [][]string{{"u1", "2"}, {"u3", "6"}},
		},
		{
			name:  "latest sees only later rows",
			query: `SELECT * FROM pageviews`,
			cols:  []string{"viewtime", "userid", "pageid"},
			want:  [][]string{{"3", "u3", "p3"}},
		},
		{
			name:  "LIMIT closes after n rows",
			query: `SELECT pageid FROM pageviews WITH ('starting.position' = 'earliest') LIMIT 2`,
			cols:  []string{"pageid"},
			want:  [][]string{{"p1"}, {"p2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, db := start(t, emulator.Config{})
			ctx := context.Background()
			mustExec(t, db, createPageviews,
				`INSERT INTO pageviews VALUES (1, 'u1', 'p1')`,
				`INSERT INTO pageviews VALUES (2, 'u2', 'p2')`)
			rows, err := db.QueryContext(ctx, tt.query)
			require.NoError(t, err)
			defer rows.Close()
			cols, err := rows.Columns()
			require.NoError(t, err)
			assert.Equal(t, tt.cols, cols)
			mustExec(t, db, `INSERT INTO pageviews VALUES (3, 'u3', 'p3')`)
			assert.Equal(t, tt.want, readN(t, rows, len(tt.want)))
			if tt.name == "LIMIT closes after n rows" {
				assert.False(t, rows.Next())
				assert.NoError(t, rows.Err())
			}
			require.NoError(t, rows.Close())
		})
	}
}

func TestContinuousUnsupported(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	for _, q := range []string{
		`SELECT * FROM pageviews ORDER BY viewtime`,
		`SELECT DISTINCT userid FROM pageviews`,
		`SELECT userid, COUNT(*) FROM pageviews GROUP BY userid`,
		`SELECT * FROM pageviews WITH ('starting.position' = 'timestamp')`,
	} {
		_, err := db.QueryContext(context.Background(), q)
		assert.Equal(t, "0A000", stateOf(err), "%s: %v", q, err)
	}
}

// TestContinuousManyReaders: every row reaches every reader, in order,
// and closing them leaves no goroutine behind (goleak in TestMain).
func TestContinuousManyReaders(t *testing.T) {
	const readers, n = 100, 5
	_, db := start(t, emulator.Config{})
	db.SetMaxIdleConns(readers)
	ctx := context.Background()
	mustExec(t, db, createPageviews)
	all := make([]*sql.Rows, readers)
	errs := make([]error, readers)
	var opened sync.WaitGroup
	for i := range all {
		opened.Add(1)
		go func() {
			defer opened.Done()
			all[i], errs[i] = db.QueryContext(ctx, `SELECT viewtime FROM pageviews`)
		}()
	}
	opened.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	var want [][]string
	for i := range n {
		mustExec(t, db, fmt.Sprintf(`INSERT INTO pageviews VALUES (%d, 'u', 'p')`, i))
		want = append(want, []string{strconv.Itoa(i)})
	}
	var wg sync.WaitGroup
	got := make([][][]string, readers)
	for i, rows := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = readN(t, rows, n)
		}()
	}
	wg.Wait()
	for i, rows := range all {
		assert.Equal(t, want, got[i], "reader %d", i)
		require.NoError(t, rows.Close())
	}
}

// TestContinuousSlowReader: a reader that stops reading does not hold up
// writers, and reads everything once it resumes.
func TestContinuousSlowReader(t *testing.T) {
	const n = 1000
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	mustExec(t, db, createPageviews)
	rows, err := db.QueryContext(ctx, `SELECT viewtime FROM pageviews`)
	require.NoError(t, err)
	defer rows.Close()
	for i := 0; i < n; i += 250 {
		var b []byte
		b = append(b, "INSERT INTO pageviews VALUES "...)
		for j := i; j < i+250; j++ {
			if j > i {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, "(%d, 'u', 'p')", j)
		}
		mustExec(t, db, string(b))
	}
	got := readN(t, rows, n)
	for i, r := range got {
		require.Equal(t, strconv.Itoa(i), r[0])
	}
}

// TestContinuousDroppedClient: a client that goes away mid-stream ends
// its query; goleak (TestMain) checks that nothing is left running.
func TestContinuousDroppedClient(t *testing.T) {
	emu, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews, `INSERT INTO pageviews VALUES (1, 'u', 'p')`)
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := db.QueryContext(ctx, `SELECT * FROM pageviews WITH ('starting.position' = 'earliest')`)
	require.NoError(t, err)
	readN(t, rows, 1)
	cancel()
	assert.False(t, rows.Next())
	_ = rows.Close()
	mustExec(t, db, `INSERT INTO pageviews VALUES (2, 'u', 'p')`)
	_ = emu
}

func TestPrintEntity(t *testing.T) {
	_, db := start(t, emulator.Config{})
	ctx := context.Background()
	mustExec(t, db, `CREATE STREAM flags (id INT, ok BOOLEAN, tags ARRAY<VARCHAR>, note VARCHAR) WITH ('topic' = 'flagtopic')`,
		`INSERT INTO flags VALUES (1, TRUE, ARRAY['a', 'b'], 'x')`)
	rows, err := db.QueryContext(ctx, `PRINT ENTITY flagtopic WITH ('from_beginning')`)
	require.NoError(t, err)
	defer rows.Close()
	mustExec(t, db, `INSERT INTO flags VALUES (2, NULL, NULL, NULL)`)
	assert.Equal(t, [][]string{
		{`{"id":1,"ok":true,"tags":["a","b"],"note":"x"}`},
		{`{"id":2,"ok":null,"tags":null,"note":null}`},
	}, readN(t, rows, 2))
	require.NoError(t, rows.Close())
	_, err = db.QueryContext(ctx, `PRINT ENTITY nope`)
	assert.Equal(t, "3D007", stateOf(err), "%v", err)
}

// TestContinuousRelationDropped: dropping the stream ends its readers
// with an error frame.
func TestContinuousRelationDropped(t *testing.T) {
	_, db := start(t, emulator.Config{})
	mustExec(t, db, createPageviews)
	rows, err := db.QueryContext(context.Background(), `SELECT * FROM pageviews`)
	require.NoError(t, err)
	defer rows.Close()
	mustExec(t, db, `DROP STREAM pageviews`)
	assert.False(t, rows.Next())
	assert.ErrorContains(t, rows.Err(), "dropped")
}
