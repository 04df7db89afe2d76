package deltastream_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Paging a result set: partitions fetched in order, answers without
// partitionInfo, prefetching (overlap, bound, early close) and the
// goroutines it starts. Batches and dataplane results are in
// rows_batch_test.go, broken answers in rows_malformed_test.go, shared
// helpers in rows_helpers_test.go.

// resStatementID returns the statement id of the first GET srv received.
func resStatementID(t testing.TB, srv *dstest.Server) string {
	t.Helper()
	for _, r := range srv.Requests() {
		if i := strings.LastIndex(r.Path, "/statements/"); r.Method == http.MethodGet && i >= 0 {
			return r.Path[i+len("/statements/"):]
		}
	}
	t.Fatal("no GET of a statement was received")
	return ""
}

// resSignals closes one channel per partition the first time a GET for it
// arrives; its hook may be combined with faults.
type resSignals struct {
	mu   sync.Mutex
	chs  map[int]chan struct{}
	max  atomic.Int64
	hang func(part int) bool // parts whose GET never answers
}

func newResSignals() *resSignals {
	s := &resSignals{chs: map[int]chan struct{}{}}
	s.max.Store(-1)
	return s
}

func (s *resSignals) ch(part int) chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.chs[part]
	if !ok {
		c = make(chan struct{})
		s.chs[part] = c
	}
	return c
}

func (s *resSignals) hook(r *dstest.Request, _ int) *dstest.Fault {
	p := resPartitionOf(r)
	if p < 0 {
		return nil
	}
	for {
		m := s.max.Load()
		if int64(p) <= m || s.max.CompareAndSwap(m, int64(p)) {
			break
		}
	}
	c := s.ch(p)
	s.mu.Lock()
	select {
	case <-c:
	default:
		close(c)
	}
	s.mu.Unlock()
	if s.hang != nil && s.hang(p) {
		return &dstest.Fault{Hang: true}
	}
	return nil
}

// wait waits until partition part was requested (the timeout only guards
// against a hung test).
func (s *resSignals) wait(t testing.TB, part int) {
	t.Helper()
	select {
	case <-s.ch(part):
	case <-time.After(10 * time.Second):
		t.Fatalf("partition %d was never requested", part)
	}
}

func TestRowsPartitionsInOrder(t *testing.T) {
	tests := []struct {
		name   string
		params []string
		sizes  []int // nil: no rows at all
	}{
		{name: "default prefetch", sizes: []int{3, 3, 3, 3, 3, 3, 2}},
		{name: "prefetch 0 fetches one at a time", params: []string{"prefetch=0"}, sizes: []int{3, 3, 3, 3, 2}},
		{name: "prefetch 1", params: []string{"prefetch=1"}, sizes: []int{1, 2, 3, 4, 5}},
		{name: "prefetch deeper than the result", params: []string{"prefetch=10"}, sizes: []int{2, 2, 2}},
		{name: "empty partitions in between", sizes: []int{0, 2, 0, 0, 3, 0}},
		{name: "empty partitions without prefetch", params: []string{"prefetch=0"}, sizes: []int{0, 2, 0, 0, 3, 0}},
		{name: "every partition empty", sizes: []int{0, 0, 0}},
		{name: "one partition", sizes: []int{5}},
		{name: "no rows: partitionInfo []", sizes: nil},
		{name: "session id and zone on every GET", params: []string{"sessionID=sess-1", "timezone=Europe/Paris"}, sizes: []int{1, 1, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			const q = "SELECT tag, i FROM parts;"
			resScriptParts(srv, q, tt.sizes)
			db := openDB(t, srv, tt.params...)
			var infos resInfos
			rows, err := db.QueryContext(infos.ctx(context.Background()), q)
			require.NoError(t, err)
			got := resReadAll(t, rows)
			require.NoError(t, rows.Err())
			require.NoError(t, rows.Close())
			assert.Equal(t, resExpected(tt.sizes), got)

			gets := resPartitionGETs(srv, infos.id(t))
			assert.Equal(t, resSeq(1, len(tt.sizes)), resParts(gets), "each partition after the first is fetched exactly once")
			for _, g := range gets {
				assert.Equal(t, "/v2/statements/"+infos.id(t), g.path)
				assert.Equal(t, "Bearer "+srv.Token(), g.auth)
			}
			if slices.Contains(tt.params, "sessionID=sess-1") {
				for _, r := range srv.Requests() {
					if r.Method == http.MethodGet {
						assert.Equal(t, "sess-1", r.Query.Get("sessionID"))
						assert.Equal(t, "Europe/Paris", r.Query.Get("timezone"))
					}
				}
			}
			resNoDriverGoroutines(t)
		})
	}
}

// TestRowsAbsentPartitionInfo covers answers whose metadata leaves
// partitionInfo (or all metadata) out: the rows in the answer are all there is.
func TestRowsAbsentPartitionInfo(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
		cols []string
	}{
		{
			name: "partitionInfo absent",
			body: `{"sqlState":"00000","statementID":"00000000-0000-0000-0000-00000000000a","metadata":{"encoding":"","columns":[{"name":"a","type":"VARCHAR","nullable":true}]},"data":[["x"],[null],["y"]]}`,
			want: []string{"x", "<nil>", "y"}, cols: []string{"a"},
		},
		{
			name: "partitionInfo null",
			body: `{"sqlState":"00000","statementID":"00000000-0000-0000-0000-00000000000b","metadata":{"partitionInfo":null,"columns":[{"name":"a","type":"VARCHAR"}],"context":null,"dataplaneRequest":null},"data":[["x"]]}`,
			want: []string{"x"}, cols: []string{"a"},
		},
		{
			name: "partitionInfo empty",
			body: `{"sqlState":"00000","statementID":"00000000-0000-0000-0000-00000000000c","metadata":{"encoding":"json","partitionInfo":[],"columns":[{"name":"a","type":"VARCHAR","nullable":true}]},"data":[]}`,
			want: []string{}, cols: []string{"a"},
		},
		{
			name: "metadata null",
			body: `{"sqlState":"00000","statementID":"00000000-0000-0000-0000-00000000000d","metadata":null,"data":null}`,
			want: []string{}, cols: []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			srv.On("SELECT a FROM t;")
			srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
				if r.Method == http.MethodPost {
					return &dstest.Fault{Replace: tt.body}
				}
				return nil
			})
			db := openDB(t, srv)
			rows, err := db.Query("SELECT a FROM t;")
			require.NoError(t, err)
			cols, err := rows.Columns()
			require.NoError(t, err)
			assert.Equal(t, tt.cols, cols)
			got := []string{}
			for rows.Next() {
				var v any
				require.NoError(t, rows.Scan(&v))
				got = append(got, fmt.Sprint(v))
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, tt.want, got)
			assert.Len(t, srv.Requests(), 1, "nothing to fetch beyond the answer")
		})
	}
}

// TestRowsPrefetchOverlapAndEarlyClose proves that the next partitions are
// requested while the reader is still on partition 0 (the network overlaps
// scanning), that no more than prefetch partitions are fetched ahead, and
// that closing stops every further fetch.
func TestRowsPrefetchOverlapAndEarlyClose(t *testing.T) {
	tests := []struct {
		name    string
		params  []string
		depth   int
		closeAt int // partition whose first row is read before Close
	}{
		{name: "default depth 2, close in partition 0", depth: 2},
		{name: "depth 1, close in partition 0", params: []string{"prefetch=1"}, depth: 1},
		{name: "depth 4, close in partition 0", params: []string{"prefetch=4"}, depth: 4},
		{name: "depth 0, close in partition 0", params: []string{"prefetch=0"}, depth: 0},
		{name: "default depth 2, close in partition 5", depth: 2, closeAt: 5},
		{name: "depth 0, close in partition 5", params: []string{"prefetch=0"}, depth: 0, closeAt: 5},
	}
	const nparts = 20
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			srv := dstest.NewServer(t)
			sizes := slices.Repeat([]int{2}, nparts)
			resScriptParts(srv, "SELECT tag, i FROM big;", sizes)
			sig := newResSignals()
			srv.Fault(sig.hook)
			db := openDB(t, srv, tt.params...)
			var infos resInfos
			rows, err := db.QueryContext(infos.ctx(context.Background()), "SELECT tag, i FROM big;")
			require.NoError(t, err)
			for read := 0; read <= 2*tt.closeAt; read++ {
				require.True(t, rows.Next(), rows.Err())
			}
			var tag string
			var i int64
			require.NoError(t, rows.Scan(&tag, &i))
			require.Equal(t, fmt.Sprintf("p%dr%d", tt.closeAt, 2*tt.closeAt), tag)
			// The reader is on the first row of partition closeAt: the
			// partitions after it are fetched ahead, up to the depth.
			for p := tt.closeAt + 1; p <= tt.closeAt+tt.depth; p++ {
				sig.wait(t, p)
			}
			require.NoError(t, rows.Close())
			resNoDriverGoroutines(t)

			parts := resParts(resPartitionGETs(srv, infos.id(t)))
			if tt.closeAt == 0 {
				// The prefetcher blocks on its full queue: exactly depth
				// partitions were requested.
				assert.Equal(t, resSeq(1, 1+tt.depth), parts)
			} else {
				assert.Subset(t, parts, resSeq(1, tt.closeAt+1+tt.depth))
				assert.LessOrEqual(t, slices.Max(parts), tt.closeAt+tt.depth)
			}
			assert.Less(t, len(parts), nparts-1, "closing early must not fetch the whole result")
			resCloseAndVerify(t, ignore, db, srv)
		})
	}
}

// TestRowsPrefetchBound checks at every row that no partition beyond the
// current one plus the prefetch depth was requested: memory is bounded by
// the depth.
func TestRowsPrefetchBound(t *testing.T) {
	for _, depth := range []int{0, 1, 2, 4} {
		t.Run(fmt.Sprintf("prefetch=%d", depth), func(t *testing.T) {
			srv := dstest.NewServer(t)
			const nparts = 12
			resScriptParts(srv, "SELECT tag, i FROM b;", slices.Repeat([]int{3}, nparts))
			sig := newResSignals()
			srv.Fault(sig.hook)
			db := openDB(t, srv, fmt.Sprintf("prefetch=%d", depth))
			rows, err := db.Query("SELECT tag, i FROM b;")
			require.NoError(t, err)
			n := 0
			for rows.Next() {
				part := n / 3
				assert.LessOrEqual(t, sig.max.Load(), int64(part+depth), "row %d (partition %d)", n, part)
				n++
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, 3*nparts, n)
			assert.Equal(t, int64(nparts-1), sig.max.Load())
		})
	}
}

// TestRowsGoroutinesExit ends a prefetching read in every way it can end
// and checks that no driver goroutine survives.
func TestRowsGoroutinesExit(t *testing.T) {
	const q = "SELECT tag, i FROM g;"
	sizes := slices.Repeat([]int{2}, 8)
	tests := []struct {
		name  string
		hang  func(part int) bool
		fault func(r *dstest.Request) *dstest.Fault
		run   func(t *testing.T, db *sql.DB, sig *resSignals) error
		check func(t *testing.T, err error, id string)
	}{
		{
			name: "read to the end",
			run: func(t *testing.T, db *sql.DB, _ *resSignals) error {
				rows, err := db.Query(q)
				require.NoError(t, err)
				assert.Len(t, resReadAll(t, rows), 16)
				return rows.Err()
			},
		},
		{
			name: "close without reading",
			run: func(t *testing.T, db *sql.DB, sig *resSignals) error {
				rows, err := db.Query(q)
				require.NoError(t, err)
				sig.wait(t, 2)
				return rows.Close()
			},
		},
		{
			name: "cancel while prefetches hang",
			hang: func(p int) bool { return p >= 1 },
			run: func(t *testing.T, db *sql.DB, sig *resSignals) error {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				rows, err := db.QueryContext(ctx, q)
				require.NoError(t, err)
				defer rows.Close()
				require.True(t, rows.Next())
				sig.wait(t, 1)
				sig.wait(t, 2)
				cancel()
				for rows.Next() {
				}
				return rows.Err()
			},
			check: func(t *testing.T, err error, _ string) { assert.ErrorIs(t, err, context.Canceled) },
		},
		{
			name: "cancel while the reader waits for a hanging partition",
			hang: func(p int) bool { return p == 1 },
			run: func(t *testing.T, db *sql.DB, sig *resSignals) error {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				rows, err := db.QueryContext(ctx, q)
				require.NoError(t, err)
				defer rows.Close()
				go func() {
					sig.wait(t, 1)
					cancel()
				}()
				n := 0
				for rows.Next() {
					n++
				}
				assert.LessOrEqual(t, n, 2, "partition 1 never came")
				return rows.Err()
			},
			check: func(t *testing.T, err error, _ string) { assert.ErrorIs(t, err, context.Canceled) },
		},
		{
			name: "deadline while a partition hangs",
			hang: func(p int) bool { return p == 3 },
			run: func(t *testing.T, db *sql.DB, _ *resSignals) error {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				defer cancel()
				rows, err := db.QueryContext(ctx, q)
				require.NoError(t, err)
				defer rows.Close()
				assert.LessOrEqual(t, len(resReadAll(t, rows)), 6)
				return rows.Err()
			},
			check: func(t *testing.T, err error, _ string) { assert.ErrorIs(t, err, context.DeadlineExceeded) },
		},
		{
			name: "error answer for a prefetched partition",
			fault: func(r *dstest.Request) *dstest.Fault {
				if resPartitionOf(r) == 3 {
					return &dstest.Fault{Status: http.StatusBadRequest, Body: `{"message":"partition gone","traceID":"trace-9"}`}
				}
				return nil
			},
			run: func(t *testing.T, db *sql.DB, _ *resSignals) error {
				rows, err := db.Query(q)
				require.NoError(t, err)
				defer rows.Close()
				assert.Len(t, resReadAll(t, rows), 6, "partitions 0-2 are read before the failure")
				return rows.Err()
			},
			check: func(t *testing.T, err error, id string) {
				var de *deltastream.Error
				require.ErrorAs(t, err, &de)
				assert.Equal(t, http.StatusBadRequest, de.HTTPStatus)
				assert.Equal(t, id, de.StatementID)
				assert.Equal(t, "trace-9", de.TraceID)
				assert.Contains(t, err.Error(), "partition gone")
			},
		},
		{
			name: "connection reset in a prefetched partition",
			fault: func(r *dstest.Request) *dstest.Fault {
				if resPartitionOf(r) == 2 {
					return &dstest.Fault{ResetAfter: 40}
				}
				return nil
			},
			run: func(t *testing.T, db *sql.DB, _ *resSignals) error {
				rows, err := db.Query(q)
				require.NoError(t, err)
				defer rows.Close()
				assert.Len(t, resReadAll(t, rows), 4)
				return rows.Err()
			},
			check: func(t *testing.T, err error, id string) {
				assert.Contains(t, err.Error(), id)
				assert.Equal(t, id, deltastream.StatementIDOf(err))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ignore := goleak.IgnoreCurrent()
			srv := dstest.NewServer(t)
			resScriptParts(srv, q, sizes)
			sig := newResSignals()
			sig.hang = tt.hang
			srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
				f := sig.hook(r, n)
				if f == nil && tt.fault != nil {
					f = tt.fault(r)
				}
				return f
			})
			db := openDB(t, srv)
			err := tt.run(t, db, sig)
			if tt.check == nil {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				tt.check(t, err, resStatementID(t, srv))
			}
			resNoDriverGoroutines(t)
			resCloseAndVerify(t, ignore, db, srv)
		})
	}
}
