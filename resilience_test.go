package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The fault-injection suite: every test breaks chosen requests through the
// dstest fault hook and checks that the query either returns its complete,
// correct result or fails with the right error, that no statement was
// submitted twice, and (through TestMain's goleak) that nothing leaks.

const (
	resilSQL     = "SELECT n FROM resil;"      // five rows in three partitions, done at once
	resilHeldSQL = "SELECT n FROM resil_held;" // the same rows, held running until released
)

var resilRows = []int64{1, 2, 3, 4, 5}

// resilServer returns a server scripted with resilSQL and resilHeldSQL.
func resilServer(t testing.TB, opts ...dstest.Option) (*dstest.Server, *dstest.Gate) {
	srv := dstest.NewServer(t, opts...)
	script := func(sql string) *dstest.Statement {
		st := srv.On(sql).Columns(dstest.NotNullCol("n", "BIGINT")).PartitionSize(2)
		for _, n := range resilRows {
			st.Rows([]any{n})
		}
		return st
	}
	script(resilSQL)
	return srv, script(resilHeldSQL).Hold()
}

// Request classes a fault can target.
var (
	isPost  = func(r *dstest.Request) bool { return r.Method == http.MethodPost }
	isPoll  = func(r *dstest.Request) bool { return isStatementGET(r) && !r.Query.Has("partitionID") }
	isPart1 = func(r *dstest.Request) bool { return isStatementGET(r) && r.Query.Get("partitionID") == "1" }
	isPartN = func(r *dstest.Request) bool { return isStatementGET(r) && r.Query.Has("partitionID") }
	isVers  = func(r *dstest.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/version")
	}
)

func isStatementGET(r *dstest.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.Path, "/statements/")
}

// resilHook records the requests of one class with their arrival times and
// mistreats them as fault decides (i is the 1-based number of the request
// within the class; a nil Fault serves it normally).
type resilHook struct {
	mu      sync.Mutex
	at      []time.Time
	paths   []string
	faulted int
}

func installHook(srv *dstest.Server, target func(*dstest.Request) bool, fault func(i int) *dstest.Fault) *resilHook {
	h := &resilHook{}
	srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
		if !target(r) {
			return nil
		}
		h.mu.Lock()
		h.at = append(h.at, time.Now())
		h.paths = append(h.paths, r.Path)
		i := len(h.at)
		h.mu.Unlock()
		f := fault(i)
		if f != nil {
			h.mu.Lock()
			h.faulted++
			h.mu.Unlock()
		}
		return f
	})
	return h
}

func (h *resilHook) counts() (hits, faulted int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.at), h.faulted
}

func (h *resilHook) times() []time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Time(nil), h.at...)
}

// statementID is the id in the path of the first statement GET recorded.
func (h *resilHook) statementID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, p := range h.paths {
		if _, id, ok := strings.Cut(p, "/statements/"); ok {
			return id
		}
	}
	return ""
}

func firstN(n int, f *dstest.Fault) func(int) *dstest.Fault {
	return func(i int) *dstest.Fault {
		if i <= n {
			return f
		}
		return nil
	}
}

func always(f *dstest.Fault) func(int) *dstest.Fault { return func(int) *dstest.Fault { return f } }

// queryInts runs q and reads its single BIGINT column; it returns the rows
// read before any error and the statement id the driver reported.
func queryInts(ctx context.Context, db *sql.DB, q string) (got []int64, id string, err error) {
	ctx = deltastream.WithStatementInfo(ctx, func(i deltastream.StatementInfo) { id = i.ID })
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, id, err
	}
	defer rows.Close()
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return got, id, err
		}
		got = append(got, n)
	}
	return got, id, rows.Err()
}

func TestResilRetryableStatusRecovers(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout, http.StatusTooManyRequests} {
		for _, target := range []string{"partition", "poll"} {
			t.Run(fmt.Sprintf("%d on %s", status, target), func(t *testing.T) {
				t.Parallel()
				srv, gate := resilServer(t)
				db := openDB(t, srv, "maxPollInterval=20ms")
				q, match := resilSQL, isPart1
				fault := firstN(2, &dstest.Fault{Status: status, Body: `{"message":"try again"}`})
				if target == "poll" {
					q, match = resilHeldSQL, isPoll
					fault = func(i int) *dstest.Fault {
						if i == 2 {
							gate.Release() // the next poll finds the statement done
						}
						return firstN(2, &dstest.Fault{Status: status})(i)
					}
				}
				h := installHook(srv, match, fault)

				got, _, err := queryInts(context.Background(), db, q)
				require.NoError(t, err)
				assert.Equal(t, resilRows, got)
				hits, faulted := h.counts()
				assert.Equal(t, 2, faulted)
				assert.Equal(t, 3, hits, "two failed attempts, then success")
				assert.Equal(t, 1, srv.Submitted(q))
			})
		}
	}
}

// attemptsIn extracts N from "N attempts" in an error message.
var attemptsRE = regexp.MustCompile(`(\d+) attempts`)

func attemptsIn(t *testing.T, msg string) int {
	t.Helper()
	m := attemptsRE.FindStringSubmatch(msg)
	require.NotNil(t, m, "no attempt count in %q", msg)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

func TestResilPermanentFailureGivesUp(t *testing.T) {
	const budget = time.Second
	tests := []struct {
		name   string
		q      string
		match  func(*dstest.Request) bool
		fault  *dstest.Fault
		status int // 0: a network error
	}{
		{"503 on partition", resilSQL, isPart1, &dstest.Fault{Status: 503}, 503},
		{"503 on poll", resilHeldSQL, isPoll, &dstest.Fault{Status: 503}, 503},
		{"504 on poll", resilHeldSQL, isPoll, &dstest.Fault{Status: 504}, 504},
		{"502 on partition", resilSQL, isPart1, &dstest.Fault{Status: 502}, 502},
		{"429 on partition", resilSQL, isPart1, &dstest.Fault{Status: 429}, 429},
		{"reset on partition", resilSQL, isPart1, &dstest.Fault{ResetAfter: -1}, 0},
		{"reset on poll", resilHeldSQL, isPoll, &dstest.Fault{ResetAfter: -1}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := resilServer(t) // the held statement never finishes
			db := openDB(t, srv, "retryTimeout="+budget.String(), "maxPollInterval=20ms")
			q := tc.q
			h := installHook(srv, tc.match, always(tc.fault))

			start := time.Now()
			_, _, err := queryInts(context.Background(), db, q)
			elapsed := time.Since(start)
			require.Error(t, err)
			assert.Less(t, elapsed, budget+time.Second, "gave up late: %v", err)
			hits, _ := h.counts()
			assert.Equal(t, h.statementID(), deltastream.StatementIDOf(err), err.Error())
			assert.Equal(t, 1, srv.Submitted(q))
			if tc.status == 0 {
				assert.Regexp(t, `failed after \d+ attempts`, err.Error())
				// net/http may add its own transparent retry on a reused connection.
				assert.GreaterOrEqual(t, hits, attemptsIn(t, err.Error()))
				return
			}
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.status, de.HTTPStatus)
			assert.Greater(t, de.Attempts, 1)
			assert.Equal(t, de.Attempts, hits)
			assert.Equal(t, de.Attempts, attemptsIn(t, err.Error()))
			assert.Equal(t, tc.status == 503, errors.Is(err, deltastream.ErrUnavailable))
		})
	}
}

func TestResilRetryAfter(t *testing.T) {
	t.Parallel()
	t.Run("honoured", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		h := installHook(srv, isPart1, firstN(1, &dstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}}}))
		got, _, err := queryInts(context.Background(), db, resilSQL)
		require.NoError(t, err)
		assert.Equal(t, resilRows, got)
		at := h.times()
		require.Len(t, at, 2)
		// The retry left after the 429 had been answered, so the gap seen
		// by the server is at least what Retry-After asked.
		assert.GreaterOrEqual(t, at[1].Sub(at[0]), time.Second)
	})
	t.Run("beyond the budget gives up at once", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv, "retryTimeout=2s")
		h := installHook(srv, isPart1, always(&dstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"30"}}}))
		start := time.Now()
		_, _, err := queryInts(context.Background(), db, resilSQL)
		assert.Less(t, time.Since(start), time.Second)
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, 429, de.HTTPStatus)
		assert.Contains(t, err.Error(), "rate limited")
		hits, _ := h.counts()
		assert.Equal(t, 1, hits)
	})
}

func TestResilPostRetriedOnlyOn429(t *testing.T) {
	tests := []struct {
		fault   *dstest.Fault
		posts   int // POSTs the server received
		success bool
	}{
		{&dstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"0"}}}, 2, true},
		{&dstest.Fault{Status: 429}, 2, true},
		{&dstest.Fault{Status: 503}, 1, false},
		{&dstest.Fault{Status: 502}, 1, false},
		{&dstest.Fault{Status: 504}, 1, false},
		{&dstest.Fault{Status: 500}, 1, false},
		{&dstest.Fault{Status: 400, Body: `{"message":"bad request"}`}, 1, false},
		{&dstest.Fault{Status: 401}, 1, false},
		{&dstest.Fault{Status: 403}, 1, false},
		{&dstest.Fault{Status: 404}, 1, false},
		{&dstest.Fault{Status: 418}, 1, false},
		{&dstest.Fault{ResetAfter: -1}, 1, false}, // reached the server: never resent
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("status %d reset %d", tc.fault.Status, tc.fault.ResetAfter), func(t *testing.T) {
			t.Parallel()
			srv, _ := resilServer(t)
			db := openDB(t, srv)
			h := installHook(srv, isPost, firstN(1, tc.fault))
			got, _, err := queryInts(context.Background(), db, resilSQL)
			hits, faulted := h.counts()
			assert.Equal(t, tc.posts, hits)
			assert.Equal(t, 1, faulted)
			// A faulted POST is answered without being processed: with the
			// retry, exactly one statement was created.
			assert.Equal(t, tc.posts, srv.Submitted(resilSQL))
			if tc.success {
				require.NoError(t, err)
				assert.Equal(t, resilRows, got)
				return
			}
			require.Error(t, err)
			var de *deltastream.Error
			if tc.fault.Status != 0 {
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tc.fault.Status, de.HTTPStatus)
				assert.NotContains(t, err.Error(), "attempts")
			}
		})
	}
	t.Run("429 with an attachment is not retried", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		h := installHook(srv, isPost, firstN(1, &dstest.Fault{Status: 429}))
		ctx := deltastream.WithAttachment(context.Background(), "f.jar", strings.NewReader("jar"))
		_, err := db.ExecContext(ctx, resilSQL)
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, 429, de.HTTPStatus)
		hits, _ := h.counts()
		assert.Equal(t, 1, hits)
	})
}

func TestResilNonRetryableFailFast(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 418, 500} {
		for _, target := range []string{"partition", "poll", "version"} {
			t.Run(fmt.Sprintf("%d on %s", status, target), func(t *testing.T) {
				t.Parallel()
				srv, _ := resilServer(t)
				db := openDB(t, srv, "maxPollInterval=20ms")
				match, q := isPart1, resilSQL
				switch target {
				case "poll":
					match, q = isPoll, resilHeldSQL
				case "version":
					match = isVers
				}
				h := installHook(srv, match, always(&dstest.Fault{Status: status, Body: `{"message":"no","traceID":"tr-1"}`}))
				var err error
				if target == "version" {
					err = db.PingContext(context.Background())
				} else {
					_, _, err = queryInts(context.Background(), db, q)
				}
				var de *deltastream.Error
				require.ErrorAs(t, err, &de)
				assert.Equal(t, status, de.HTTPStatus)
				assert.Equal(t, 1, de.Attempts)
				assert.Equal(t, "tr-1", de.TraceID)
				hits, _ := h.counts()
				assert.Equal(t, 1, hits, "no retry")
				assert.Equal(t, status == 401 || status == 403, errors.Is(err, deltastream.ErrUnauthorized))
				if target != "version" {
					assert.Equal(t, h.statementID(), deltastream.StatementIDOf(err))
					assert.Equal(t, 1, srv.Submitted(q))
				}
			})
		}
	}
}

// TestResilPartitionBodyBroken breaks the body of partition 1 after its
// headers. The driver does not re-fetch it: the partition body is decoded
// as it streams, so the query fails with an error that must name the
// statement and the partition, after partition 0's rows and whichever
// complete rows of partition 1 arrived before the break. (A transparent
// re-fetch would also be acceptable: then the result must be complete.) A
// reset before any answer is retried transparently.
//
// Where the cut falls depends on the key order: in the service's
// (alphabetical) order "data" precedes "metadata", so 60 bytes hold all of
// partition 1's rows and the cut falls in its metadata; in the legacy
// order the cut falls in the metadata before any row.
func TestResilPartitionBodyBroken(t *testing.T) {
	tests := []struct {
		name  string
		fault *dstest.Fault
		retry bool // must recover
		rows1 int  // rows of partition 1 delivered in the service's order
	}{
		{"reset before the answer", &dstest.Fault{ResetAfter: -1}, true, 0},
		{"reset after 1 byte", &dstest.Fault{ResetAfter: 1}, false, 0},
		{"reset mid body", &dstest.Fault{ResetAfter: 60}, false, 2},
		{"truncated mid body", &dstest.Fault{Truncate: 60}, false, 2},
		{"empty body", &dstest.Fault{Truncate: -1}, false, 0},
	}
	for _, order := range []dstest.KeyOrder{dstest.ServiceOrder, dstest.LegacyOrder} {
		for _, tc := range tests {
			for _, prefetch := range []string{"prefetch=0", "prefetch=2"} {
				t.Run(fmt.Sprintf("%s %s %s", order, tc.name, prefetch), func(t *testing.T) {
					t.Parallel()
					srv, _ := resilServer(t, dstest.WithKeyOrder(order))
					db := openDB(t, srv, prefetch)
					h := installHook(srv, isPart1, firstN(1, tc.fault))
					got, id, err := queryInts(context.Background(), db, resilSQL)
					assert.Equal(t, 1, srv.Submitted(resilSQL))
					// A prefetched partition is read ahead before any of its rows
					// is handed out, so a body reset midway is fetched again.
					refetch := prefetch == "prefetch=2" && tc.fault.ResetAfter > 0
					if tc.retry || refetch {
						require.NoError(t, err)
						assert.Equal(t, resilRows, got)
						hits, _ := h.counts()
						assert.Equal(t, 2, hits)
						return
					}
					want := 2 // partition 0
					if order == dstest.ServiceOrder {
						want += tc.rows1
					}
					assert.Equal(t, resilRows[:want], got, "partition 0, then the complete rows of partition 1 that arrived")
					require.Error(t, err, "a broken partition is never taken for a complete one")
					assert.Equal(t, id, deltastream.StatementIDOf(err))
					assert.Contains(t, err.Error(), id)
					assert.Contains(t, err.Error(), "partition 1", "the error must say which partition broke")
				})
			}
		}
	}
}

func TestResilSlowAndHanging(t *testing.T) {
	tests := []struct {
		name    string
		q       string
		params  []string
		match   func(*dstest.Request) bool
		fault   func(int) *dstest.Fault
		ctxTO   time.Duration
		wantErr string // "" success; "deadline": ctx deadline; else a message fragment
		hits    int    // requests of the class the server saw; 0: unchecked
	}{
		{"slow partitions complete", resilSQL, nil, isPartN, always(&dstest.Fault{Delay: 100 * time.Millisecond}), 0, "", 2},
		{"slow answer beyond requestTimeout is retried", resilSQL, []string{"requestTimeout=100ms"}, isPart1,
			firstN(1, &dstest.Fault{Delay: 2 * time.Second}), 0, "", 2},
		{"hanging partition hits the ctx deadline", resilSQL, nil, isPart1, always(&dstest.Fault{Hang: true}), 300 * time.Millisecond, "deadline", 1},
		{"hanging poll hits the ctx deadline", resilHeldSQL, nil, isPoll, always(&dstest.Fault{Hang: true}), 300 * time.Millisecond, "deadline", 1},
		{"held statement hits the ctx deadline", resilHeldSQL, []string{"maxPollInterval=20ms"}, isPoll, always(nil), 300 * time.Millisecond, "deadline", 0},
		{"hanging partition exhausts the retry budget", resilSQL, []string{"requestTimeout=100ms", "retryTimeout=600ms"}, isPart1,
			always(&dstest.Fault{Hang: true}), 0, "requestTimeout", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := resilServer(t)
			db := openDB(t, srv, tc.params...)
			h := installHook(srv, tc.match, tc.fault)
			ctx := context.Background()
			if tc.ctxTO > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.ctxTO)
				defer cancel()
			}
			got, _, err := queryInts(ctx, db, tc.q)
			assert.Equal(t, 1, srv.Submitted(tc.q))
			hits, _ := h.counts()
			if tc.hits > 0 {
				assert.Equal(t, tc.hits, hits)
			}
			switch tc.wantErr {
			case "":
				require.NoError(t, err)
				assert.Equal(t, resilRows, got)
			case "deadline":
				require.Error(t, err)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
				id := h.statementID()
				require.NotEmpty(t, id)
				assert.Equal(t, id, deltastream.StatementIDOf(err))
			default:
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				assert.Regexp(t, `failed after \d+ attempts`, err.Error())
				assert.Equal(t, h.statementID(), deltastream.StatementIDOf(err))
				assert.GreaterOrEqual(t, hits, attemptsIn(t, err.Error()))
			}
		})
	}
	t.Run("hanging submission hits the ctx deadline", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		installHook(srv, isPost, always(&dstest.Fault{Hang: true}))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, _, err := queryInts(ctx, db, resilSQL)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Empty(t, deltastream.StatementIDOf(err), "no statement was created")
	})
}

// resilBody is a finished result body holding rows of raw JSON cells.
func resilBody(data string) string {
	return `{"sqlState":"00000","statementID":"x","createdOn":1,"data":` + data + `}`
}

func TestResilMalformedBodies(t *testing.T) {
	huge := resilBody(`[["` + strings.Repeat("7", 65<<20) + `"]]`)
	tests := []struct {
		name  string
		match func(*dstest.Request) bool
		q     string
		fault *dstest.Fault
		want  string // fragment of the error message
		state string // SQL state of the *Error, "-" when no *Error is expected
	}{
		{"garbage", isPart1, resilSQL, &dstest.Fault{Replace: "garbage"}, "malformed", "-"},
		{"HTML page", isPart1, resilSQL, &dstest.Fault{Replace: "<!DOCTYPE html><html><title>Oops</title></html>"}, "malformed", "-"},
		{"JSON array", isPart1, resilSQL, &dstest.Fault{Replace: "[]"}, "not a JSON object", "-"},
		{"cut JSON", isPart1, resilSQL, &dstest.Fault{Replace: `{"sqlState":"00000","data":[["1"]`}, "unexpected end", "-"},
		{"truncated", isPart1, resilSQL, &dstest.Fault{Truncate: 25}, "unexpected end", "-"},
		{"no sqlState", isPart1, resilSQL, &dstest.Fault{Replace: `{"statementID":"x","data":[["1"]]}`}, "no sqlState", "-"},
		{"too many cells", isPart1, resilSQL, &dstest.Fault{Replace: resilBody(`[["1","2"]]`)}, "row 1 has 2 cells, but the result has 1 columns", "-"},
		{"too few cells", isPart1, resilSQL, &dstest.Fault{Replace: resilBody(`[[]]`)}, "row 1 has 0 cells", "-"},
		{"not a BIGINT", isPart1, resilSQL, &dstest.Fault{Replace: resilBody(`[["abc"]]`)}, "row 1", "-"},
		{"row not an array", isPart1, resilSQL, &dstest.Fault{Replace: resilBody(`["1"]`)}, "malformed", "-"},
		{"SQL error in a partition", isPart1, resilSQL, &dstest.Fault{Replace: `{"sqlState":"XX000","message":"boom","statementID":"x"}`}, "boom", "XX000"},
		{"cell beyond the size limit", isPart1, resilSQL, &dstest.Fault{Replace: huge}, "row is longer than 67108864 bytes", "-"},
		{"garbage poll answer", isPoll, resilHeldSQL, &dstest.Fault{Replace: "garbage"}, "malformed", "-"},
		{"HTML error page", isPart1, resilSQL, &dstest.Fault{Status: 400, Body: "<html><title>Bad Request</title><body>...</body></html>"}, "HTML page Bad Request", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := resilServer(t)
			db := openDB(t, srv)
			h := installHook(srv, tc.match, always(tc.fault))
			_, _, err := queryInts(context.Background(), db, tc.q)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Less(t, len(err.Error()), 1000, "the message stays short")
			assert.Equal(t, h.statementID(), deltastream.StatementIDOf(err))
			assert.Equal(t, 1, srv.Submitted(tc.q))
			var de *deltastream.Error
			if assert.Equal(t, tc.state != "-", errors.As(err, &de), err.Error()) && de != nil {
				assert.Equal(t, tc.state, de.State)
			}
		})
	}
	t.Run("version answer beyond its 1 MiB limit", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		installHook(srv, isVers, always(&dstest.Fault{Replace: `{"major":1,"pad":"` + strings.Repeat("x", 2<<20) + `"}`}))
		err := db.PingContext(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "unreadable answer")
	})
	t.Run("error body beyond its 64 KiB limit", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		installHook(srv, isPart1, always(&dstest.Fault{Status: 500, Body: strings.Repeat("oops ", 1<<20)}))
		_, _, err := queryInts(context.Background(), db, resilSQL)
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, 500, de.HTTPStatus)
		assert.Less(t, len(err.Error()), 400, "the body is cut to a short snippet")
	})
	t.Run("garbage submission answer", func(t *testing.T) {
		t.Parallel()
		srv, _ := resilServer(t)
		db := openDB(t, srv)
		installHook(srv, isPost, always(&dstest.Fault{Replace: "garbage"}))
		_, _, err := queryInts(context.Background(), db, resilSQL)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "malformed")
		assert.Equal(t, 1, srv.Submitted(resilSQL))
	})
}
