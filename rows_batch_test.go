package deltastream_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// Results read from the dataplane, and batches: several statements in one
// submission, read with NextResultSet, with failing or still running
// statements and what WithStatementInfo reports for them.

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
				assert.True(t, strings.HasSuffix(g.path, "/v2/statements/"+id), "dataplane base path /v2, got %q", g.path)
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
		// Newer servers add a fifth column, Path.
		require.GreaterOrEqual(t, len(cols), 4)
		assert.Equal(t, []string{"Type", "Name", "Command", "Summary"}, cols[:4])
		require.True(t, rows.Next())
		cells := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range cells {
			dest[i] = &cells[i]
		}
		require.NoError(t, rows.Scan(dest...))
		assert.Equal(t, "q-1", cells[1].String)
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
				assert.True(t, strings.HasSuffix(g.path, "/v2/statements/"+infosGot[2].ID), "dataplane base path /v2, got %q", g.path)
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

// A dataplane token expires after about five minutes: a reader slower than
// that gets a fresh one from the control plane and reads on.
func TestDataplaneTokenRenewedMidResult(t *testing.T) {
	clock := &fakeClock{}
	srv := dstest.NewServer(t, dstest.WithClock(clock))
	srv.On("SELECT * FROM mv;").Columns(dstest.Col("n", "BIGINT")).
		Rows([]any{"1"}, []any{"2"}, []any{"3"}).PartitionSize(1).Dataplane()
	db := openDB(t, srv, "prefetch=0")

	rows, err := db.Query("SELECT * FROM mv;")
	require.NoError(t, err)
	defer rows.Close()
	var got []int64
	for rows.Next() {
		var n int64
		require.NoError(t, rows.Scan(&n))
		got = append(got, n)
		clock.off.Add(int64(10 * time.Minute)) // the dataplane token expires
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []int64{1, 2, 3}, got)

	renewals := 0
	for _, r := range srv.Requests() {
		// The control plane is the one that gets the API token.
		if r.Method == http.MethodGet && strings.Contains(r.Path, "/statements/") && r.Header.Get("Authorization") == "Bearer "+srv.Token() {
			renewals++
		}
	}
	assert.Equal(t, 2, renewals, "one control-plane GET per expired token")
}
