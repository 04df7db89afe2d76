package deltastream_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// fastPolls keeps the waits of held statements short.
var fastPolls = []string{"minPollInterval=1ms", "maxPollInterval=2ms"}

// gets counts the GETs of statement id recorded by srv.
func gets(srv *dstest.Server, id string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == http.MethodGet && strings.HasSuffix(r.Path, "/statements/"+id) {
			n++
		}
	}
	return n
}

// releaseAfter returns a WithProgress hook that releases gate at the
// given poll, so a test sees the statement running without sleeping, and
// records every call.
func releaseAfter(gate *dstest.Gate, poll int, got *[]deltastream.Progress) func(deltastream.Progress) {
	return func(p deltastream.Progress) {
		*got = append(*got, p)
		if p.Polls >= poll {
			gate.Release()
		}
	}
}

func TestLongrunIDBeforeFirstPoll(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "CREATE STORE s WITH ('type' = KAFKA);"
	gate := srv.On(q).CommandResult("store", "s", "CREATE", "created").Hold()
	db := openDB(t, srv, fastPolls...)

	var events []string
	var acceptedID string
	ctx := deltastream.WithStatementAccepted(context.Background(), func(i deltastream.StatementInfo) {
		acceptedID = i.ID
		events = append(events, "accepted")
		// Only the submission has been made: no poll yet.
		reqs := srv.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPost, reqs[0].Method)
		assert.Nil(t, i.Columns)
		gate.Release()
	})
	ctx = deltastream.WithProgress(ctx, func(p deltastream.Progress) { events = append(events, "progress") })
	ctx = deltastream.WithStatementInfo(ctx, func(i deltastream.StatementInfo) {
		assert.Equal(t, acceptedID, i.ID)
		assert.Len(t, i.Columns, 5, "Type, Name, Command, Summary, Path")
		events = append(events, "info")
	})
	res, err := db.ExecContext(ctx, q)
	require.NoError(t, err)
	require.NotEmpty(t, acceptedID)
	assert.Equal(t, []string{acceptedID}, deltastream.ResultStatementIDs(res))
	require.GreaterOrEqual(t, len(events), 3)
	assert.Equal(t, "accepted", events[0])
	assert.Equal(t, "info", events[len(events)-1])
	for _, e := range events[1 : len(events)-1] {
		assert.Equal(t, "progress", e)
	}

	// A batch reports every id at once, with positions.
	srv.On("USE DATABASE a;").CommandResult("database", "a", "USE", "ok")
	srv.On("USE DATABASE b;").CommandResult("database", "b", "USE", "ok")
	var infos []deltastream.StatementInfo
	ctx = deltastream.WithStatementAccepted(context.Background(), func(i deltastream.StatementInfo) { infos = append(infos, i) })
	res, err = db.ExecContext(ctx, "USE DATABASE a; USE DATABASE b;")
	require.NoError(t, err)
	require.Len(t, infos, 2)
	assert.Equal(t, 1, infos[0].Position)
	assert.Equal(t, 2, infos[1].Position)
	assert.Equal(t, []string{infos[0].ID, infos[1].ID}, deltastream.ResultStatementIDs(res))
	_, err = res.RowsAffected()
	assert.ErrorIs(t, err, deltastream.ErrNotReported)
}

func TestLongrunProgress(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "CREATE STREAM s AS SELECT * FROM t;"
	gate := srv.On(q).CommandResult("stream", "s", "CREATE", "ok").Hold()
	srv.On("LIST STORES;").Columns(dstest.Col("Name", "VARCHAR")).Rows([]any{"kafka"})
	db := openDB(t, srv, fastPolls...)

	var id string
	var got []deltastream.Progress
	ctx := deltastream.WithStatementAccepted(context.Background(), func(i deltastream.StatementInfo) { id = i.ID })
	ctx = deltastream.WithProgress(ctx, releaseAfter(gate, 3, &got))
	_, err := db.ExecContext(ctx, q)
	require.NoError(t, err)

	require.GreaterOrEqual(t, len(got), 4, "three polls while held, then the one that sees it done")
	for i, p := range got {
		assert.Equal(t, id, p.StatementID)
		assert.Equal(t, i+1, p.Polls)
		assert.Equal(t, i == len(got)-1, p.Done, "poll %d", i+1)
		if i > 0 {
			assert.GreaterOrEqual(t, p.Elapsed, got[i-1].Elapsed)
		}
		assert.Positive(t, p.Elapsed)
	}
	assert.Equal(t, len(got), gets(srv, id), "one call per poll")

	// A statement that finishes at once is never polled: no call.
	got = nil
	rows, err := db.QueryContext(deltastream.WithProgress(context.Background(), func(p deltastream.Progress) { got = append(got, p) }), "LIST STORES;")
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	assert.Empty(t, got)
}

func TestLongrunAsyncExecThenResume(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "CREATE STORE s WITH ('type' = KAFKA);"
	gate := srv.On(q).CommandResult("store", "s", "CREATE", "created").Hold()
	submitter := openDB(t, srv, fastPolls...)

	res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), q)
	require.NoError(t, err)
	ids := deltastream.ResultStatementIDs(res)
	require.Len(t, ids, 1)
	id := ids[0]
	assert.Len(t, srv.Requests(), 1, "async Exec returns after the submission, without polling")

	// Another process (here another *sql.DB) collects the outcome.
	collector := openDB(t, srv, fastPolls...)
	var got []deltastream.Progress
	ctx := deltastream.WithProgress(context.Background(), releaseAfter(gate, 2, &got))
	var typ, name, command, summary, path string
	err = collector.QueryRowContext(deltastream.WithResume(ctx, id), "").Scan(&typ, &name, &command, &summary, &path)
	require.NoError(t, err)
	assert.Equal(t, []string{"store", "s", "CREATE", "created", `["s"]`}, []string{typ, name, command, summary, path})
	assert.GreaterOrEqual(t, len(got), 2, "the resume polled the running statement")
	assert.Equal(t, 1, srv.Submitted(q), "resuming submits nothing")

	// Exec can resume too: it waits and reports the outcome.
	res, err = collector.ExecContext(deltastream.WithResume(context.Background(), id), "")
	require.NoError(t, err)
	assert.Equal(t, []string{id}, deltastream.ResultStatementIDs(res))

	// An async Exec the service fails at once reports the failure.
	srv.On("CREATE STORE bad;").Error(deltastream.StateSyntaxError, "syntax error")
	_, err = submitter.ExecContext(deltastream.WithAsync(context.Background()), "CREATE STORE bad;")
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, deltastream.StateSyntaxError, de.State)
	assert.NotEmpty(t, de.StatementID)
}

func TestLongrunAsyncQuery(t *testing.T) {
	tests := []struct {
		name  string
		first func(t *testing.T, rows *sql.Rows) // the first use of the Rows
	}{
		{"Next", func(t *testing.T, rows *sql.Rows) { require.True(t, rows.Next()) }},
		{"ColumnTypes", func(t *testing.T, rows *sql.Rows) {
			cts, err := rows.ColumnTypes()
			require.NoError(t, err)
			require.Len(t, cts, 2)
			assert.Equal(t, "BIGINT", cts[1].DatabaseTypeName())
			require.True(t, rows.Next())
		}},
		{"Columns", func(t *testing.T, rows *sql.Rows) {
			cols, err := rows.Columns()
			require.NoError(t, err)
			assert.Equal(t, []string{"name", "n"}, cols)
			require.True(t, rows.Next())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := dstest.NewServer(t)
			const q = "SELECT name, n FROM busy;"
			gate := srv.On(q).Columns(dstest.Col("name", "VARCHAR"), dstest.Col("n", "BIGINT")).
				Rows([]any{"a", 1}, []any{"b", 2}).Hold()
			db := openDB(t, srv, fastPolls...)

			var got []deltastream.Progress
			ctx := deltastream.WithProgress(deltastream.WithAsync(context.Background()), releaseAfter(gate, 1, &got))
			rows, err := db.QueryContext(ctx, q)
			require.NoError(t, err)
			defer rows.Close()
			assert.Len(t, srv.Requests(), 1, "QueryContext returned after the submission")
			assert.Empty(t, got)

			tt.first(t, rows)
			assert.NotEmpty(t, got, "the first use waited")
			var name string
			var n int64
			require.NoError(t, rows.Scan(&name, &n))
			assert.Equal(t, "a", name)
			require.True(t, rows.Next())
			require.False(t, rows.Next())
			require.NoError(t, rows.Err())
		})
	}

	t.Run("failure", func(t *testing.T) {
		srv := dstest.NewServer(t)
		const q = "SELECT * FROM missing;"
		gate := srv.On(q).Error(deltastream.StateRelationNotFound, "relation missing not found").Hold()
		db := openDB(t, srv, fastPolls...)
		var got []deltastream.Progress
		ctx := deltastream.WithProgress(deltastream.WithAsync(context.Background()), releaseAfter(gate, 1, &got))
		rows, err := db.QueryContext(ctx, q)
		require.NoError(t, err, "the failure shows on first use")
		cols, err := rows.Columns()
		require.NoError(t, err)
		assert.Empty(t, cols)
		assert.False(t, rows.Next())
		err = rows.Err()
		assert.ErrorIs(t, err, deltastream.ErrNotFound)
		assert.NotEmpty(t, deltastream.StatementIDOf(err))
		require.NoError(t, rows.Close())
	})

	t.Run("closed before use", func(t *testing.T) {
		srv := dstest.NewServer(t)
		const q = "SELECT 1;"
		gate := srv.On(q).Columns(dstest.Col("x", "INTEGER")).Rows([]any{1}).Hold()
		defer gate.Release()
		db := openDB(t, srv, fastPolls...)
		rows, err := db.QueryContext(deltastream.WithAsync(context.Background()), q)
		require.NoError(t, err)
		require.NoError(t, rows.Close())
		assert.Len(t, srv.Requests(), 1, "closing does not wait")
	})
}

func TestLongrunResume(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1})
	gate := srv.On("SELECT 2;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{2}).Hold()
	srv.On("SELECT bad;").Error(deltastream.StateSyntaxError, "no column bad")
	submitter := openDB(t, srv, fastPolls...)
	db := openDB(t, srv, fastPolls...)

	submit := func(q string) string {
		res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), q)
		if err != nil {
			return deltastream.StatementIDOf(err)
		}
		return deltastream.ResultStatementIDs(res)[0]
	}
	finished, running, failed := submit("SELECT 1;"), submit("SELECT 2;"), submit("SELECT bad;")

	t.Run("finished", func(t *testing.T) {
		var x int
		require.NoError(t, db.QueryRowContext(deltastream.WithResume(context.Background(), finished), "").Scan(&x))
		assert.Equal(t, 1, x)
	})
	t.Run("running", func(t *testing.T) {
		var got []deltastream.Progress
		ctx := deltastream.WithProgress(context.Background(), releaseAfter(gate, 2, &got))
		var x int
		require.NoError(t, db.QueryRowContext(deltastream.WithResume(ctx, running), "").Scan(&x))
		assert.Equal(t, 2, x)
		assert.GreaterOrEqual(t, len(got), 2)
		assert.Equal(t, running, got[0].StatementID)
	})
	t.Run("failed", func(t *testing.T) {
		_, err := db.QueryContext(deltastream.WithResume(context.Background(), failed), "")
		var de *deltastream.Error
		require.ErrorAs(t, err, &de)
		assert.Equal(t, deltastream.StateSyntaxError, de.State)
		assert.Equal(t, failed, de.StatementID)
		assert.Equal(t, "no column bad", de.Message)
	})
	t.Run("unknown", func(t *testing.T) {
		unknown := uuid.NewString()
		for _, exec := range []bool{false, true} {
			var err error
			ctx := deltastream.WithResume(context.Background(), unknown)
			if exec {
				_, err = db.ExecContext(ctx, "")
			} else {
				_, err = db.QueryContext(ctx, "")
			}
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.ErrorIs(t, err, deltastream.ErrNotFound)
			assert.True(t, deltastream.IsNotFound(err))
			assert.Equal(t, http.StatusNotFound, de.HTTPStatus)
			assert.Equal(t, unknown, deltastream.StatementIDOf(err))
			assert.Contains(t, err.Error(), "knows no statement with this id")
		}
	})
	t.Run("unknown as a SQL state", func(t *testing.T) {
		// Should the service answer an unknown id with a 3Dxxx SQL error
		// instead of a 404, it matches ErrNotFound as well.
		unknown := uuid.NewString()
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if strings.HasSuffix(r.Path, unknown) {
				return &dstest.Fault{Status: http.StatusOK, Body: `{"message":"statement not found","sqlState":"3D013","statementID":"` + unknown + `"}`}
			}
			return nil
		})
		defer srv.Fault(nil)
		_, err := db.QueryContext(deltastream.WithResume(context.Background(), unknown), "")
		assert.ErrorIs(t, err, deltastream.ErrNotFound)
		assert.Equal(t, unknown, deltastream.StatementIDOf(err))
	})
	t.Run("arguments", func(t *testing.T) {
		_, err := db.QueryContext(deltastream.WithResume(context.Background(), finished), "SELECT 1;")
		assert.ErrorContains(t, err, "pass an empty query")
		_, err = db.QueryContext(deltastream.WithResume(context.Background()), "")
		assert.ErrorContains(t, err, "needs the id")
		_, err = db.QueryContext(deltastream.WithResume(context.Background(), finished, " "), "")
		assert.ErrorContains(t, err, "statement id 2 of 2 is empty")
	})
}

func TestLongrunResumeSession(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("USE DATABASE other;").CommandResult("database", "other", "USE", "ok").Context(dstest.Context{DatabaseName: "other"})
	submitter := openDB(t, srv, fastPolls...)
	res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), "USE DATABASE other;")
	require.NoError(t, err)
	id := deltastream.ResultStatementIDs(res)[0]

	db := openDB(t, srv, "database=mine", "sessionID=resumer", "timezone=Europe/Paris")
	conn, err := db.Conn(context.Background())
	require.NoError(t, err)
	defer conn.Close()
	srv.ResetRequests()
	_, err = conn.ExecContext(deltastream.WithResume(context.Background(), id), "")
	require.NoError(t, err)
	s, err := deltastream.CurrentSession(context.Background(), conn)
	require.NoError(t, err)
	assert.Equal(t, "mine", s.Database, "resuming a USE does not switch the connection")
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		assert.Equal(t, "resumer", r.Query.Get("sessionID"))
		assert.Equal(t, "Europe/Paris", r.Query.Get("timezone"))
	}
}

func TestLongrunResumeDataplanePartitions(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "SELECT * FROM mv;"
	var want [][]any
	for i := range 7 {
		want = append(want, []any{int64(i)})
	}
	gate := srv.On(q).Columns(dstest.Col("n", "BIGINT")).Rows(want...).Partitions(3, 3, 1).Dataplane().Hold()
	submitter := openDB(t, srv, fastPolls...)
	res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), q)
	require.NoError(t, err)
	id := deltastream.ResultStatementIDs(res)[0]

	for _, prefetch := range []string{"prefetch=0", "prefetch=2"} {
		t.Run(prefetch, func(t *testing.T) {
			db := openDB(t, srv, append(fastPolls, prefetch)...)
			var got []deltastream.Progress
			ctx := deltastream.WithProgress(context.Background(), releaseAfter(gate, 1, &got))
			srv.ResetRequests()
			rows, err := db.QueryContext(deltastream.WithResume(ctx, id), "")
			require.NoError(t, err)
			defer rows.Close()
			var n []any
			for rows.Next() {
				var v int64
				require.NoError(t, rows.Scan(&v))
				n = append(n, v)
			}
			require.NoError(t, rows.Err())
			require.Len(t, n, 7)
			for i := range n {
				assert.Equal(t, want[i][0], n[i])
			}
			parts := map[string]bool{}
			for _, r := range srv.Requests() {
				if r.Dataplane {
					assert.Equal(t, id, r.StatementID)
					parts[r.Query.Get("partitionID")] = true
				}
			}
			assert.Equal(t, map[string]bool{"0": true, "1": true, "2": true}, parts, "every partition from the dataplane")
		})
	}
}

func TestLongrunResumeBatch(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Columns(dstest.Col("x", "INTEGER")).Rows([]any{1})
	gate := srv.On("SELECT 2;").Columns(dstest.Col("y", "INTEGER")).Rows([]any{2}, []any{3}).Partitions(1, 1).Hold()
	submitter := openDB(t, srv, fastPolls...)
	res, err := submitter.ExecContext(deltastream.WithAsync(context.Background()), "SELECT 1; SELECT 2;")
	require.NoError(t, err)
	ids := deltastream.ResultStatementIDs(res)
	require.Len(t, ids, 2)

	db := openDB(t, srv, fastPolls...)
	var got []deltastream.Progress
	ctx := deltastream.WithProgress(context.Background(), releaseAfter(gate, 1, &got))
	rows, err := db.QueryContext(deltastream.WithResume(ctx, ids...), "")
	require.NoError(t, err)
	defer rows.Close()
	var sets [][]int
	for {
		var set []int
		for rows.Next() {
			var v int
			require.NoError(t, rows.Scan(&v))
			set = append(set, v)
		}
		sets = append(sets, set)
		if !rows.NextResultSet() {
			break
		}
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, [][]int{{1}, {2, 3}}, sets)
	require.NotEmpty(t, got)
	assert.Equal(t, ids[1], got[0].StatementID, "the second statement was waited for")

	// Exec resumes a batch too and names the failing position.
	srv.On("DROP STREAM a;").CommandResult("stream", "a", "DROP", "ok")
	srv.On("DROP STREAM b;").Error(deltastream.StateRelationNotFound, "relation b not found")
	res, err = submitter.ExecContext(deltastream.WithAsync(context.Background()), "DROP STREAM a; DROP STREAM b;")
	require.NoError(t, err)
	ids = deltastream.ResultStatementIDs(res)
	_, err = db.ExecContext(deltastream.WithResume(context.Background(), ids...), "")
	var de *deltastream.Error
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 2, de.Position)
	assert.Equal(t, ids[1], de.StatementID)
}

func TestLongrunTimeoutThenResume(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "CREATE STORE slow WITH ('type' = KAFKA);"
	gate := srv.On(q).CommandResult("store", "slow", "CREATE", "created").Hold()
	db := openDB(t, srv, fastPolls...)

	// A deadline that passes while the driver polls the held statement
	// (deterministically: after the first poll, whatever the machine's load).
	ctx := &expiringCtx{Context: context.Background(), done: make(chan struct{})}
	_, err := db.ExecContext(deltastream.WithProgress(ctx, func(deltastream.Progress) { ctx.expire() }), q)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	id := deltastream.StatementIDOf(err)
	require.NotEmpty(t, id)
	assert.Contains(t, err.Error(), "may still be running")
	assert.Contains(t, err.Error(), id)

	// Cancelling works the same.
	cctx, ccancel := context.WithCancel(context.Background())
	_, err = db.ExecContext(deltastream.WithProgress(cctx, func(deltastream.Progress) { ccancel() }), q)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotEmpty(t, deltastream.StatementIDOf(err))

	gate.Release()
	var summary string
	var skip any
	err = db.QueryRowContext(deltastream.WithResume(context.Background(), id), "").Scan(&skip, &skip, &skip, &summary, &skip)
	require.NoError(t, err)
	assert.Equal(t, "created", summary)
}

func TestLongrunResumeStream(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "SELECT * FROM pageviews;"
	stream := srv.On(q).Columns(dstest.Col("page", "VARCHAR")).Rows([]any{"home"}, []any{"cart"}).Stream()
	stream.Close() // the scripted rows, then the end
	submitter := openDB(t, srv)
	res, err := submitter.ExecContext(context.Background(), q)
	require.NoError(t, err)
	id := deltastream.ResultStatementIDs(res)[0]

	t.Run("still served", func(t *testing.T) {
		db := openDB(t, srv)
		rows, err := db.QueryContext(deltastream.WithResume(context.Background(), id), "")
		require.NoError(t, err)
		defer rows.Close()
		var pages []string
		for rows.Next() {
			var p string
			require.NoError(t, rows.Scan(&p))
			pages = append(pages, p)
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, []string{"home", "cart"}, pages)
	})
	t.Run("no longer served", func(t *testing.T) {
		srv.Fault(func(r *dstest.Request, _ int) *dstest.Fault {
			if strings.Contains(r.Path, "/print/") {
				return &dstest.Fault{Status: http.StatusNotFound, Body: `{"message":"query not found"}`}
			}
			return nil
		})
		defer srv.Fault(nil)
		db := openDB(t, srv)
		_, err := db.QueryContext(deltastream.WithResume(context.Background(), id), "")
		require.Error(t, err)
		assert.ErrorIs(t, err, deltastream.ErrNotFound)
		assert.Equal(t, id, deltastream.StatementIDOf(err))
		assert.Contains(t, err.Error(), "run the query again")
	})
}

// TestLongrunConcurrentResumes resumes one statement from many goroutines
// at once: each wait is independent, and none is left behind.
func TestLongrunConcurrentResumes(t *testing.T) {
	srv := dstest.NewServer(t)
	const q = "SELECT 1;"
	gate := srv.On(q).Columns(dstest.Col("x", "INTEGER")).Rows([]any{1}).Hold()
	db := openDB(t, srv, fastPolls...)
	res, err := db.ExecContext(deltastream.WithAsync(context.Background()), q)
	require.NoError(t, err)
	id := deltastream.ResultStatementIDs(res)[0]

	const n = 4
	var wg sync.WaitGroup
	polled := make(chan struct{}, n)
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			once := sync.Once{}
			ctx := deltastream.WithProgress(context.Background(), func(deltastream.Progress) {
				once.Do(func() { polled <- struct{}{} })
			})
			var x int
			errs <- db.QueryRowContext(deltastream.WithResume(ctx, id), "").Scan(&x)
		}()
	}
	for range n {
		<-polled // every resume is polling the running statement
	}
	gate.Release()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

// expiringCtx is a context whose deadline passes when the test says so.
type expiringCtx struct {
	context.Context
	once sync.Once
	done chan struct{}
}

func (c *expiringCtx) expire()                     { c.once.Do(func() { close(c.done) }) }
func (c *expiringCtx) Done() <-chan struct{}       { return c.done }
func (c *expiringCtx) Deadline() (time.Time, bool) { return time.Time{}, false }
func (c *expiringCtx) Err() error {
	select {
	case <-c.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
