package deltastream_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// The memory rule of the decode path, checked per hostile answer: no answer
// makes the driver allocate more than a small constant times the bytes it
// received, plus documented fixed caps (MaxColumns columns, one row or
// header value of 64 MiB).

// countingServer serves body(partitionID) and counts the bytes it wrote.
type countingServer struct {
	ts   *httptest.Server
	sent atomic.Int64
	gets atomic.Int64
}

func newCountingServer(t *testing.T, body func(part int, w http.ResponseWriter)) *countingServer {
	cs := &countingServer{}
	cs.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		part := 0
		if p := r.URL.Query().Get("partitionID"); p != "" {
			part, _ = strconv.Atoi(p)
			cs.gets.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		body(part, &countingWriter{w: w, n: &cs.sent})
	}))
	t.Cleanup(cs.ts.Close)
	return cs
}

type countingWriter struct {
	w http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Header() http.Header { return c.w.Header() }
func (c *countingWriter) WriteHeader(s int)   { c.w.WriteHeader(s) }
func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// endlessCell writes an answer whose first cell never ends, until the
// client goes away or limit bytes are written.
func endlessCell(w http.ResponseWriter, head string, limit int) {
	_, _ = w.Write([]byte(head))
	chunk := []byte(strings.Repeat("x", 64<<10))
	for n := 0; n < limit; n += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestMemoryPerAnswer(t *testing.T) {
	cols := func(n int, elem string) string { return "[" + strings.Repeat(elem+",", n-1) + elem + "]" }
	parts := func(n int) string { return cols(n, `{"rowCount":1}`) }
	answer := func(data, meta string) string {
		return `{"createdOn":1,"data":` + data + `,"metadata":` + meta + `,"sqlState":"00000","statementID":"s"}`
	}
	manyCols := `{"columns":` + cols(wire.MaxColumns, `{}`) + `,"partitionInfo":` + parts(8) + `}`
	tests := []struct {
		name  string
		body  func(part int) string
		cell  string // the head of an answer whose first cell never ends, instead
		fixed uint64
		err   string
	}{
		// Decoded once, from partition 0: the allowance is one decoding
		// of 10,000 columns, not eight.
		{name: "columns at the limit in every partition", body: func(int) string { return answer("[]", manyCols) }, fixed: wire.MaxColumns * 400},
		{name: "columns over the limit", body: func(int) string {
			return answer("[]", `{"columns":`+cols(300_000, `{}`)+`}`)
		}, err: "more than 10000 columns"},
		{name: "partitions over the limit", body: func(int) string {
			return answer("[]", `{"columns":[],"partitionInfo":`+cols(300_000, `{}`)+`}`)
		}, err: "more than 100000 partitions"},
		{name: "statement ids over the limit", body: func(int) string {
			return `{"sqlState":"00000","statementID":"s","statementIDs":` + cols(300_000, `"s"`) + `}`
		}, err: "more than 10000 statement ids"},
		{name: "many short rows before the metadata", body: func(int) string {
			return answer(cols(100_000, `[null]`), `{"columns":[{"name":"a","type":"VARCHAR"}],"partitionInfo":[{}]}`)
		}},
		{name: "a cell that never ends, before the metadata", cell: `{"createdOn":1,"data":[["`,
			fixed: 2 * wire.DefaultMaxRowBytes, err: "longer than 67108864 bytes"},
		// The same cell after the metadata (the legacy order) takes the
		// streaming path, whose growth TestDecoderHugeValueRejectedAtItsCap
		// checks in internal/wire with a smaller cap: 64 MiB of it under
		// -race would cost seconds of the test budget.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.cell != "" && testing.Short() {
				t.Skip("reads 64 MiB")
			}
			// The bodies are built before measuring: the server shares the
			// process.
			var bodies [][]byte
			for part := 0; tt.cell == "" && part < 8; part++ {
				bodies = append(bodies, []byte(tt.body(part)))
			}
			cs := newCountingServer(t, func(part int, w http.ResponseWriter) {
				if tt.cell != "" {
					endlessCell(w, tt.cell, 200<<20)
					return
				}
				_, _ = w.Write(bodies[part])
			})
			dsn := strings.Replace(cs.ts.URL, "http://", "http://:memory-test-token-0123@", 1) + "/v2?retryTimeout=0&prefetch=4"
			db, err := sql.Open("deltastream", dsn)
			require.NoError(t, err)
			defer db.Close()

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			rows, err := db.QueryContext(context.Background(), "SELECT 1;")
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			runtime.ReadMemStats(&after)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.Zero(t, cs.gets.Load(), "no partition fetched after a limit error")
			} else {
				require.NoError(t, err)
			}
			grew, sent := after.TotalAlloc-before.TotalAlloc, uint64(cs.sent.Load())
			limit := 4*min(sent, 2*wire.DefaultMaxRowBytes) + 1<<20 + tt.fixed
			assert.LessOrEqual(t, grew, limit, "allocated %d bytes for %d bytes sent", grew, sent)
			t.Logf("allocated %.1f MB for %.1f MB sent", float64(grew)/1e6, float64(sent)/1e6)
		})
	}
}
