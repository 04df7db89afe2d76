package deltastream_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Broken result answers: the driver must fail with a clear error, never
// panic, and leave no goroutine.

// TestRowsMalformed feeds broken results and checks for a clear error that
// names the statement and the partition, with no panic and no goroutine
// left.
func TestRowsMalformed(t *testing.T) {
	const q = "SELECT a, b FROM bad;"
	long := strings.Repeat("x", 2000)
	// body builds a complete answer for statement id with data.
	body := func(id, data string) string {
		return `{"sqlState":"00000","statementID":"` + id + `","metadata":{"encoding":"json","partitionInfo":[{"rowCount":2},{"rowCount":2},{"rowCount":2}],` +
			`"columns":[{"name":"a","type":"VARCHAR","nullable":true},{"name":"b","type":"BIGINT","nullable":true}]},"data":` + data + `}`
	}
	good := [][]any{{"r0", "0"}, {"r1", "1"}}
	tests := []struct {
		name  string
		p0    [][]any // partition 0 (default: good rows)
		rows  [][]any // partition 1 (default: good rows)
		fault func(r *dstest.Request, id string) *dstest.Fault
		part  int
		want  []string
		// In the service's key order the statement id follows the rows: an
		// answer cut inside them cannot name it.
		idMayBeUnknown bool
	}{
		{name: "row with too many cells", rows: [][]any{{"r2", "2"}, {"r3", "3", "extra"}}, part: 1, want: []string{"row 2 has 3 cells", "2 columns"}},
		{name: "row with too few cells", rows: [][]any{{"r2"}}, part: 1, want: []string{"row 1 has 1 cells"}},
		{name: "empty row", rows: [][]any{{}}, part: 1, want: []string{"has 0 cells"}},
		{name: "value not valid for its type", rows: [][]any{{"r2", "2"}, {"r3", "three"}}, part: 1, want: []string{`column "b" (BIGINT)`, `"three"`, "not an integer"}},
		{name: "truncated partition header", part: 1, want: []string{"unexpected end"},
			fault: func(r *dstest.Request, _ string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Truncate: 40}
				}
				return nil
			}},
		{name: "truncated partition data", rows: [][]any{{long, "2"}, {long, "3"}}, part: 1, want: []string{"unexpected end"},
			fault: func(r *dstest.Request, _ string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Truncate: 2500}
				}
				return nil
			}},
		{name: "truncated answer to the submission", p0: [][]any{{long, "0"}, {long, "1"}}, part: 0, want: []string{"unexpected end"}, idMayBeUnknown: true,
			fault: func(r *dstest.Request, _ string) *dstest.Fault {
				if r.Method == http.MethodPost {
					return &dstest.Fault{Truncate: 2500}
				}
				return nil
			}},
		{name: "empty partition body", part: 2, want: []string{"partition 2"},
			fault: func(r *dstest.Request, _ string) *dstest.Fault {
				if resPartitionOf(r) == 2 {
					return &dstest.Fault{Truncate: -1}
				}
				return nil
			}},
		{name: "object cell", part: 1, want: []string{"cell 1"},
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: body(id, `[["r2",{"x":1}]]`)}
				}
				return nil
			}},
		{name: "array cell", part: 1, want: []string{"cell 0"},
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: body(id, `[[["r2"],"2"]]`)}
				}
				return nil
			}},
		{name: "data not an array", part: 1,
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: body(id, `{"r2":"2"}`)}
				}
				return nil
			}},
		{name: "row not an array", part: 1,
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: body(id, `["r2"]`)}
				}
				return nil
			}},
		{name: "not JSON", part: 1,
			fault: func(r *dstest.Request, _ string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: "<html>bad gateway</html>"}
				}
				return nil
			}},
		{name: "garbage after the answer", part: 1,
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: body(id, `[["r2","2"]]`) + `{"more":1}`}
				}
				return nil
			}},
		{name: "answer without sqlState", part: 1, want: []string{"sqlState"},
			fault: func(r *dstest.Request, id string) *dstest.Fault {
				if resPartitionOf(r) == 1 {
					return &dstest.Fault{Replace: `{"statementID":"` + id + `","data":[]}`}
				}
				return nil
			}},
	}
	for _, prefetch := range []string{"prefetch=0", "prefetch=2"} {
		for _, tt := range tests {
			t.Run(prefetch+"/"+tt.name, func(t *testing.T) {
				ignore := goleak.IgnoreCurrent()
				srv := dstest.NewServer(t)
				st := srv.On(q).Columns(dstest.Col("a", "VARCHAR"), dstest.Col("b", "BIGINT"))
				p1 := tt.rows
				if p1 == nil {
					p1 = good
				}
				p0 := tt.p0
				if p0 == nil {
					p0 = good
				}
				st.Rows(p0...).Rows(p1...).Rows(good...).Partitions(len(p0), len(p1), len(good))
				srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
					if tt.fault == nil {
						return nil
					}
					if i := strings.LastIndex(r.Path, "/statements/"); i >= 0 && r.Method == http.MethodGet {
						return tt.fault(r, r.Path[i+len("/statements/"):])
					}
					return tt.fault(r, "")
				})
				db := openDB(t, srv, prefetch)
				var infos resInfos
				rows, err := db.QueryContext(infos.ctx(context.Background()), q)
				if err == nil {
					n := 0
					for rows.Next() {
						n++
					}
					err = rows.Err()
					assert.LessOrEqual(t, n, 2*tt.part+len(p1), "rows before the failure")
					require.NoError(t, rows.Close())
				}
				require.Error(t, err)
				msg := err.Error()
				ids := infos.all()
				if len(ids) == 0 && tt.idMayBeUnknown {
					assert.Empty(t, deltastream.StatementIDOf(err))
				} else if assert.NotEmpty(t, ids, "the statement was accepted: its id is known") {
					assert.Contains(t, msg, ids[0].ID, "the error names the statement")
					assert.Equal(t, ids[0].ID, deltastream.StatementIDOf(err))
				}
				assert.Contains(t, msg, fmt.Sprintf("partition %d", tt.part), "the error names the partition")
				for _, w := range tt.want {
					assert.Contains(t, msg, w)
				}
				t.Log(msg)
				resNoDriverGoroutines(t)
				resCloseAndVerify(t, ignore, db, srv)
			})
		}
	}
}
