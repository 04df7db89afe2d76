package deltastream_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
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

// resInfos collects what WithStatementInfo reports.
type resInfos struct {
	mu    sync.Mutex
	infos []deltastream.StatementInfo
}

func (r *resInfos) ctx(parent context.Context) context.Context {
	return deltastream.WithStatementInfo(parent, func(i deltastream.StatementInfo) {
		r.mu.Lock()
		r.infos = append(r.infos, i)
		r.mu.Unlock()
	})
}

func (r *resInfos) all() []deltastream.StatementInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.infos)
}

// id returns the id of the first statement reported.
func (r *resInfos) id(t testing.TB) string {
	t.Helper()
	all := r.all()
	require.NotEmpty(t, all, "WithStatementInfo reported no statement")
	return all[0].ID
}

// resPartitionOf returns the partitionID of a GET of a statement, or -1.
func resPartitionOf(r *dstest.Request) int {
	if r.Method != http.MethodGet || !strings.Contains(r.Path, "/statements/") {
		return -1
	}
	v := r.Query.Get("partitionID")
	if v == "" {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// resGET is a recorded GET of one partition.
type resGET struct {
	path string
	part int
	auth string
}

// resPartitionGETs returns the partition GETs of statement id, in arrival
// order.
func resPartitionGETs(srv *dstest.Server, id string) []resGET {
	var out []resGET
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.Path, "/statements/"+id) {
			continue
		}
		out = append(out, resGET{path: r.Path, part: resPartitionOf(&r), auth: r.Header.Get("Authorization")})
	}
	return out
}

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

// resParts returns the sorted partition numbers of gets.
func resParts(gets []resGET) []int {
	out := []int{}
	for _, g := range gets {
		out = append(out, g.part)
	}
	slices.Sort(out)
	return out
}

// resSeq returns [from, to).
func resSeq(from, to int) []int {
	out := []int{}
	for i := from; i < to; i++ {
		out = append(out, i)
	}
	return out
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

// resDriverGoroutines returns the stacks of goroutines running code of the
// driver package (prefetchers, fetches).
func resDriverGoroutines() []string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, line := range strings.Split(g, "\n") {
			if strings.Contains(line, "github.com/deltastream-go/deltastream.") && !strings.Contains(line, "deltastream.TestMain") {
				out = append(out, g)
				break
			}
		}
	}
	return out
}

// resNoDriverGoroutines checks that no driver goroutine is left. A
// goroutine that has signalled its WaitGroup may still be returning, so the
// check yields the processor for a moment before it fails.
func resNoDriverGoroutines(t testing.TB) {
	t.Helper()
	left := resDriverGoroutines()
	for deadline := time.Now().Add(2 * time.Second); len(left) > 0 && time.Now().Before(deadline); {
		runtime.Gosched()
		left = resDriverGoroutines()
	}
	assert.Empty(t, left, "driver goroutines left running")
}

// resCloseAndVerify closes db and srv, then checks that no goroutine
// started since ignore was taken is left.
func resCloseAndVerify(t *testing.T, ignore goleak.Option, db *sql.DB, srv *dstest.Server) {
	t.Helper()
	require.NoError(t, db.Close())
	srv.Close()
	goleak.VerifyNone(t, ignore)
}

// resScriptParts scripts query with one VARCHAR and one BIGINT column and
// rows split into partitions of the given sizes; row i is ("p<part>r<i>", i).
func resScriptParts(srv *dstest.Server, query string, sizes []int) *dstest.Statement {
	st := srv.On(query).Columns(dstest.Col("tag", "VARCHAR"), dstest.NotNullCol("i", "BIGINT"))
	i := 0
	for p, n := range sizes {
		for range n {
			st.Rows([]any{fmt.Sprintf("p%dr%d", p, i), i})
			i++
		}
	}
	if sizes != nil {
		st.Partitions(sizes...)
	}
	return st
}

// resExpected returns the rows resScriptParts scripts, as "tag/i".
func resExpected(sizes []int) []string {
	out := []string{}
	i := 0
	for p, n := range sizes {
		for range n {
			out = append(out, fmt.Sprintf("p%dr%d/%d", p, i, i))
			i++
		}
	}
	return out
}

// resReadAll reads rows of resScriptParts as "tag/i".
func resReadAll(t testing.TB, rows *sql.Rows) []string {
	t.Helper()
	out := []string{}
	for rows.Next() {
		var tag string
		var i int64
		require.NoError(t, rows.Scan(&tag, &i))
		out = append(out, fmt.Sprintf("%s/%d", tag, i))
	}
	return out
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

// TestRowsDataplane pages a result-set answer from the dataplane base with
// the dataplane token.
func TestRowsDataplane(t *testing.T) {
	for _, params := range [][]string{nil, {"prefetch=0"}, {"prefetch=5"}} {
		t.Run(fmt.Sprint(params), func(t *testing.T) {
			srv := dstest.NewServer(t)
			const q = "SELECT tag, i FROM mv;"
			sizes := []int{2, 0, 3, 1, 2}
			resScriptParts(srv, q, sizes).Dataplane()
			db := openDB(t, srv, params...)
			var infos resInfos
			rows, err := db.QueryContext(infos.ctx(context.Background()), q)
			require.NoError(t, err)
			assert.Equal(t, resExpected(sizes), resReadAll(t, rows))
			require.NoError(t, rows.Err())

			id := infos.id(t)
			gets := resPartitionGETs(srv, id)
			assert.Equal(t, resSeq(0, len(sizes)), resParts(gets), "every partition, 0 included, comes from the dataplane")
			for _, g := range gets {
				assert.Equal(t, "/dp/v2/statements/"+id, g.path)
				assert.True(t, strings.HasPrefix(g.auth, "Bearer dpt_"), "dataplane token, got %q", g.auth)
				assert.NotContains(t, g.auth, srv.Token(), "the API token must not go to the dataplane")
			}
			require.Len(t, srv.Submissions(), 1)
			assert.Equal(t, "Bearer "+srv.Token(), srv.Submissions()[0].Header.Get("Authorization"))
			resNoDriverGoroutines(t)
		})
	}
}

// TestRowsNextResultSet reads a batch: each statement's result in turn,
// with its own columns and partitions, from the control plane or the
// dataplane.
func TestRowsNextResultSet(t *testing.T) {
	srv := dstest.NewServer(t)
	resScriptParts(srv, "SELECT tag, i FROM a;", []int{1, 1, 1})
	srv.On("SELECT n, ok FROM b;").Columns(dstest.Col("n", "DOUBLE"), dstest.Col("ok", "BOOLEAN")).
		Rows([]any{"1.5", "true"}, []any{nil, "false"})
	resScriptParts(srv, "SELECT tag, i FROM mv;", []int{2, 2}).Dataplane()
	srv.On("CREATE STREAM s AS SELECT * FROM a;").CommandResult("query", "q-1", "CREATE", "started")
	srv.On("SELECT tag, i FROM empty;").Columns(dstest.Col("tag", "VARCHAR"), dstest.NotNullCol("i", "BIGINT"))
	batch := "SELECT tag, i FROM a;\nSELECT n, ok FROM b;\nSELECT tag, i FROM mv;\nCREATE STREAM s AS SELECT * FROM a;\nSELECT tag, i FROM empty;"

	t.Run("all results in turn", func(t *testing.T) {
		db := openDB(t, srv)
		var infos resInfos
		rows, err := db.QueryContext(infos.ctx(context.Background()), batch)
		require.NoError(t, err)
		defer rows.Close()

		assert.Equal(t, resExpected([]int{1, 1, 1}), resReadAll(t, rows))
		require.True(t, rows.NextResultSet(), rows.Err())
		cols, err := rows.Columns()
		require.NoError(t, err)
		assert.Equal(t, []string{"n", "ok"}, cols)
		var got []string
		for rows.Next() {
			var n sql.NullFloat64
			var ok bool
			require.NoError(t, rows.Scan(&n, &ok))
			got = append(got, fmt.Sprint(n.Float64, n.Valid, ok))
		}
		assert.Equal(t, []string{"1.5 true true", "0 false false"}, got)
		require.True(t, rows.NextResultSet(), rows.Err())
		assert.Equal(t, resExpected([]int{2, 2}), resReadAll(t, rows))
		require.True(t, rows.NextResultSet(), rows.Err())
		cols, err = rows.Columns()
		require.NoError(t, err)
		assert.Equal(t, []string{"Type", "Name", "Command", "Summary"}, cols)
		require.True(t, rows.Next())
		var typ, name, cmd, sum string
		require.NoError(t, rows.Scan(&typ, &name, &cmd, &sum))
		assert.Equal(t, "q-1", name)
		assert.False(t, rows.Next())
		require.True(t, rows.NextResultSet(), rows.Err())
		assert.Empty(t, resReadAll(t, rows))
		assert.False(t, rows.NextResultSet())
		require.NoError(t, rows.Err())

		infosGot := infos.all()
		require.Len(t, infosGot, 5)
		for i, in := range infosGot {
			assert.Equal(t, i+1, in.Position)
			assert.NotEmpty(t, in.ID)
		}
		assert.Equal(t, []int{1, 2}, resParts(resPartitionGETs(srv, infosGot[0].ID)))
		dp := resPartitionGETs(srv, infosGot[2].ID)
		require.NotEmpty(t, dp)
		for _, g := range dp {
			if g.part >= 0 {
				assert.Equal(t, "/dp/v2/statements/"+infosGot[2].ID, g.path)
				assert.True(t, strings.HasPrefix(g.auth, "Bearer dpt_"))
			}
		}
	})

	t.Run("skipping unread rows", func(t *testing.T) {
		db := openDB(t, srv, "prefetch=0")
		var infos resInfos
		rows, err := db.QueryContext(infos.ctx(context.Background()), batch)
		require.NoError(t, err)
		defer rows.Close()
		require.True(t, rows.Next())
		require.True(t, rows.NextResultSet(), rows.Err())
		require.True(t, rows.Next())
		var n sql.NullFloat64
		var ok bool
		require.NoError(t, rows.Scan(&n, &ok))
		assert.Equal(t, 1.5, n.Float64)
		require.NoError(t, rows.Close())
		first := infos.all()[0].ID
		assert.Empty(t, resParts(resPartitionGETs(srv, first)), "the skipped result's later partitions are not fetched")
		resNoDriverGoroutines(t)
	})
}

// TestBatchErrors runs batches whose statements fail: Exec and Query
// report the first failing statement with its position and id.
func TestBatchErrors(t *testing.T) {
	newSrv := func(t *testing.T) *dstest.Server {
		srv := dstest.NewServer(t)
		srv.On("CREATE STREAM a AS SELECT 1;").CommandResult("stream", "a", "CREATE", "created")
		srv.On("CREATE STREAM b AS SELECT 2;").CommandResult("stream", "b", "CREATE", "created")
		srv.On("DROP STREAM nope;").Error(deltastream.StateRelationNotFound, "relation nope not found")
		srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1})
		return srv
	}
	tests := []struct {
		name  string
		batch string
		pos   int // 0: success
	}{
		{name: "all succeed", batch: "CREATE STREAM a AS SELECT 1; CREATE STREAM b AS SELECT 2; SELECT 1;"},
		{name: "second fails", batch: "CREATE STREAM a AS SELECT 1; DROP STREAM nope; CREATE STREAM b AS SELECT 2;", pos: 2},
		{name: "first fails", batch: "DROP STREAM nope; CREATE STREAM a AS SELECT 1;", pos: 1},
		{name: "last fails", batch: "CREATE STREAM a AS SELECT 1; CREATE STREAM b AS SELECT 2; DROP STREAM nope;", pos: 3},
	}
	for _, tt := range tests {
		t.Run("exec "+tt.name, func(t *testing.T) {
			srv := newSrv(t)
			db := openDB(t, srv)
			var infos resInfos
			_, err := db.ExecContext(infos.ctx(context.Background()), tt.batch)
			n := strings.Count(tt.batch, ";")
			if tt.pos == 0 {
				require.NoError(t, err)
				require.Len(t, infos.all(), n, "one StatementInfo per statement")
				for i, in := range infos.all() {
					assert.Equal(t, i+1, in.Position)
				}
				return
			}
			require.Error(t, err)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.pos, de.Position)
			assert.Equal(t, deltastream.StateRelationNotFound, de.State)
			assert.True(t, deltastream.IsNotFound(err))
			assert.Contains(t, err.Error(), fmt.Sprintf("statement %d of batch", tt.pos))
			assert.Contains(t, err.Error(), "relation nope not found")
			require.NotEmpty(t, de.StatementID)
			assert.Equal(t, de.StatementID, deltastream.StatementIDOf(err))
			for _, in := range infos.all() {
				assert.LessOrEqual(t, in.Position, tt.pos, "nothing after the failing statement is reported")
			}
		})
		t.Run("query "+tt.name, func(t *testing.T) {
			srv := newSrv(t)
			db := openDB(t, srv)
			rows, err := db.Query(tt.batch)
			if tt.pos == 1 {
				require.Error(t, err)
				var de *deltastream.Error
				require.ErrorAs(t, err, &de)
				assert.Equal(t, 1, de.Position)
				return
			}
			require.NoError(t, err)
			defer rows.Close()
			sets := 1
			for rows.NextResultSet() {
				sets++
			}
			if tt.pos == 0 {
				require.NoError(t, rows.Err())
				assert.Equal(t, strings.Count(tt.batch, ";"), sets)
				return
			}
			var de *deltastream.Error
			require.ErrorAs(t, rows.Err(), &de)
			assert.Equal(t, tt.pos, de.Position)
			assert.Equal(t, tt.pos-1, sets, "the failing statement has no result set")
		})
	}
}

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
		{name: "truncated answer to the submission", p0: [][]any{{long, "0"}, {long, "1"}}, part: 0, want: []string{"unexpected end"},
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
				if assert.NotEmpty(t, ids, "the statement was accepted: its id is known") {
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

// TestBatchFirstStatementRunning submits batches whose first statement is
// still running when the submission is answered (202 with statementIDs):
// the later statements must not be lost.
func TestBatchFirstStatementRunning(t *testing.T) {
	newSrv := func(t *testing.T) *dstest.Server {
		srv := dstest.NewServer(t)
		gate := srv.On("CREATE STREAM slow AS SELECT 1;").CommandResult("stream", "slow", "CREATE", "created").Hold()
		srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1})
		srv.On("DROP STREAM nope;").Error(deltastream.StateRelationNotFound, "relation nope not found")
		// The first poll lets the held statement finish.
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if r.Method == http.MethodGet {
				gate.Release()
			}
			return nil
		})
		return srv
	}
	t.Run("query", func(t *testing.T) {
		db := openDB(t, newSrv(t))
		rows, err := db.Query("CREATE STREAM slow AS SELECT 1; SELECT 1;")
		require.NoError(t, err)
		defer rows.Close()
		require.True(t, rows.Next())
		assert.False(t, rows.Next())
		require.True(t, rows.NextResultSet(), "the second statement's result: %v", rows.Err())
		var x int64
		require.True(t, rows.Next())
		require.NoError(t, rows.Scan(&x))
		assert.Equal(t, int64(1), x)
	})
	t.Run("exec reports the failing second statement", func(t *testing.T) {
		db := openDB(t, newSrv(t))
		_, err := db.Exec("CREATE STREAM slow AS SELECT 1; DROP STREAM nope;")
		require.Error(t, err, "statement 2 failed")
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, 2, de.Position)
	})
}

// TestBatchStatementInfoOfFailingStatement checks the contract of
// WithStatementInfo: fn is called for every statement the service
// accepted, "whether it then succeeds or fails", so the failing statement
// of a batch (and a failing single statement) is reported with its id.
func TestBatchStatementInfoOfFailingStatement(t *testing.T) {
	tests := []struct {
		query string
		pos   int
	}{
		{query: "DROP STREAM nope;", pos: 0},
		{query: "CREATE STREAM a AS SELECT 1; DROP STREAM nope;", pos: 2},
		{query: "DROP STREAM nope; CREATE STREAM a AS SELECT 1;", pos: 1},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			srv := dstest.NewServer(t)
			srv.On("CREATE STREAM a AS SELECT 1;").CommandResult("stream", "a", "CREATE", "created")
			srv.On("DROP STREAM nope;").Error(deltastream.StateRelationNotFound, "relation nope not found")
			db := openDB(t, srv)
			var infos resInfos
			_, err := db.ExecContext(infos.ctx(context.Background()), tt.query)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			var failing []deltastream.StatementInfo
			for _, in := range infos.all() {
				if in.ID == de.StatementID {
					failing = append(failing, in)
				}
			}
			if assert.Len(t, failing, 1, "StatementInfo of the failing statement") {
				assert.Equal(t, tt.pos, failing[0].Position)
			}
		})
	}
}
