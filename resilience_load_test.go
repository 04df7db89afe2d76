package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// The load part of the fault-injection suite (see resilience_test.go):
// many goroutines share one sql.DB while random faults hit their requests.

// TestResilLoad runs 64 goroutines × 200 queries through one sql.DB while
// a seeded random share of the GETs (polls and partitions) fail with 503
// or 429 or are delayed. Every query must return its own complete result
// (or, should a request exhaust its retry budget, fail with that 503/429),
// and every statement must have been submitted exactly once.
//
// It takes minutes on two cores under -race, so it runs only when
// DELTASTREAM_LOAD=1 (.ci/run runs it once after the default suite):
//
//	DELTASTREAM_LOAD=1 go test -race -run TestResilLoad .
func TestResilLoad(t *testing.T) {
	requireLoad(t)
	const goroutines, seed = 64, 20261125
	iters := 200
	if testing.Short() {
		iters = 20
	}
	srv := dstest.NewServer(t)
	for g := range goroutines {
		suffix := fmt.Sprintf(" FROM load_%d;", g)
		st := srv.OnMatch(func(q string) bool { return strings.HasSuffix(q, suffix) }).
			Columns(dstest.NotNullCol("g", "BIGINT"), dstest.NotNullCol("k", "BIGINT")).PartitionSize(2)
		for k := range 5 {
			st.Rows([]any{g, k})
		}
		if g%4 == 0 {
			st.RunTime(3 * time.Millisecond) // polled
		}
	}
	var faults [4]atomic.Int64 // 503, 429, 429 with Retry-After, delay
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if r.Method != http.MethodGet {
			return nil
		}
		switch x := rand.New(rand.NewPCG(seed, uint64(n))).IntN(1000); {
		case x < 30:
			faults[0].Add(1)
			return &dstest.Fault{Status: 503}
		case x < 50:
			faults[1].Add(1)
			return &dstest.Fault{Status: 429}
		case x < 51:
			faults[2].Add(1)
			return &dstest.Fault{Status: 429, Header: http.Header{"Retry-After": {"1"}}}
		case x < 80:
			faults[3].Add(1)
			return &dstest.Fault{Delay: time.Duration(1+x%10) * time.Millisecond}
		}
		return nil
	})
	db := openDB(t, srv, "minPollInterval=2ms", "maxPollInterval=20ms")

	var mu sync.Mutex
	var problems []string
	var gaveUp atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iters {
				q := fmt.Sprintf("SELECT /* %d.%d */ g, k FROM load_%d;", g, i, g)
				if p := loadQuery(db, q, g); p != "" {
					if strings.HasPrefix(p, "gave up") {
						gaveUp.Add(1)
						continue
					}
					mu.Lock()
					problems = append(problems, q+": "+p)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d queries in %v; faults: %d×503, %d×429, %d×429 Retry-After, %d delays; %d gave up",
		goroutines*iters, time.Since(start), faults[0].Load(), faults[1].Load(), faults[2].Load(), faults[3].Load(), gaveUp.Load())
	require.Empty(t, problems)
	assert.Less(t, gaveUp.Load(), int64(goroutines*iters/100), "retries nearly always recover")
	assert.Positive(t, faults[0].Load()+faults[1].Load())

	counts := map[string]int{}
	for _, r := range srv.Submissions() {
		counts[r.Statement.Statement]++
	}
	assert.Len(t, counts, goroutines*iters)
	for q, n := range counts {
		if n != 1 {
			t.Errorf("%q submitted %d times", q, n)
		}
	}
	assert.Equal(t, 1, srv.Submitted(fmt.Sprintf("SELECT /* %d.%d */ g, k FROM load_%d;", 7, iters-1, 7)))
}

// requireLoad skips a load test unless DELTASTREAM_LOAD=1: the default
// suite (go test -race ./...) must stay fast.
func requireLoad(t *testing.T) {
	t.Helper()
	if os.Getenv("DELTASTREAM_LOAD") != "1" {
		t.Skip("load test: set DELTASTREAM_LOAD=1 to run it")
	}
}

// loadQuery runs one query of TestResilLoad and returns "" when its result
// is exactly goroutine g's, "gave up: ..." when a retry budget ran out on
// a faulted status, or what is wrong.
func loadQuery(db *sql.DB, q string, g int) string {
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		return loadError(err)
	}
	defer rows.Close()
	k := 0
	for rows.Next() {
		var gg, kk int
		if err := rows.Scan(&gg, &kk); err != nil {
			return err.Error()
		}
		if gg != g || kk != k {
			return fmt.Sprintf("row %d is (%d, %d)", k, gg, kk)
		}
		k++
	}
	if err := rows.Err(); err != nil {
		return loadError(err)
	}
	if k != 5 {
		return fmt.Sprintf("%d rows, want 5", k)
	}
	return ""
}

func loadError(err error) string {
	var de *deltastream.Error
	if errors.As(err, &de) && (de.HTTPStatus == 503 || de.HTTPStatus == 429) && de.Attempts > 1 && deltastream.StatementIDOf(err) != "" {
		return "gave up: " + err.Error()
	}
	return err.Error()
}
