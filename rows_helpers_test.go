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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Helpers shared by the result-set tests (rows_test.go, rows_batch_test.go,
// rows_malformed_test.go; resInfos also by coltypes_test.go): scripting
// partitioned results, inspecting the partition GETs, reading rows, and
// checking that the driver's goroutines are gone.

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
