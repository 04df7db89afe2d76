package dstest_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
)

// driverOrders are the key orders the tests through the driver run in:
// the service's (the default) and the legacy one.
func driverOrders() []dstest.KeyOrder {
	return []dstest.KeyOrder{dstest.ServiceOrder, dstest.LegacyOrder}
}

// TestThroughDriver runs every kind of answer dstest gives through
// database/sql, in each key order.
func TestThroughDriver(t *testing.T) {
	for _, order := range driverOrders() {
		t.Run(order.String(), func(t *testing.T) {
			srv := dstest.NewServer(t, dstest.WithKeyOrder(order))
			db, err := sql.Open("deltastream", srv.DSN())
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			srv.On("SELECT n FROM t;").Columns(dstest.NotNullCol("n", "BIGINT")).
				Rows([]any{1}, []any{2}, []any{3}, []any{4}, []any{5}).PartitionSize(2)
			srv.On("SELECT n FROM mv;").Columns(dstest.NotNullCol("n", "BIGINT")).
				Rows([]any{1}, []any{2}, []any{3}).PartitionSize(1).Dataplane()
			srv.On("CREATE SCHEMA demodb.newschema;").CommandResult("schema", "demodb.newschema", "CREATE", "created")
			srv.On("USE DATABASE other;").Context(dstest.Context{DatabaseName: "other"}).CommandResult("database", "other", "USE", "ok")
			srv.On("DROP STREAM nope;").Error("3D020", `relation "nope" does not exist`)
			stream := srv.On("PRINT ENTITY pageviews;").Columns(dstest.Col("userid", "VARCHAR")).Rows([]any{"User_1"}).Stream()
			stream.Close()

			ints := func(q string) []int64 {
				t.Helper()
				rows, err := db.QueryContext(ctx, q)
				require.NoError(t, err)
				defer rows.Close()
				var got []int64
				for rows.Next() {
					var n int64
					require.NoError(t, rows.Scan(&n))
					got = append(got, n)
				}
				require.NoError(t, rows.Err())
				return got
			}
			assert.Equal(t, []int64{1, 2, 3, 4, 5}, ints("SELECT n FROM t;"), "three partitions")
			assert.Equal(t, []int64{1, 2, 3}, ints("SELECT n FROM mv;"), "three dataplane partitions")
			var dpGETs int
			for _, r := range srv.Requests() {
				if r.Dataplane {
					dpGETs++
				}
			}
			assert.Equal(t, 3, dpGETs, "the pages come from the dataplane origin")

			var typ, name, cmd, summary, path string
			require.NoError(t, db.QueryRowContext(ctx, "CREATE SCHEMA demodb.newschema;").Scan(&typ, &name, &cmd, &summary, &path))
			assert.Equal(t, `["demodb","newschema"]`, path)

			_, err = db.ExecContext(ctx, "DROP STREAM nope;")
			var de *deltastream.Error
			require.True(t, errors.As(err, &de), "%v", err)
			assert.Equal(t, "3D020", de.State)
			assert.ErrorIs(t, err, deltastream.ErrNotFound)

			var user string
			require.NoError(t, db.QueryRowContext(ctx, "PRINT ENTITY pageviews;").Scan(&user))
			assert.Equal(t, "User_1", user)
		})
	}
}

// A test can hold a statement, watch the driver poll it, and release it at
// a chosen poll.
func TestDriverPollsHeldStatement(t *testing.T) {
	for _, order := range driverOrders() {
		t.Run(order.String(), func(t *testing.T) {
			srv := dstest.NewServer(t, dstest.WithKeyOrder(order))
			gate := srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "created").Hold()
			db, err := sql.Open("deltastream", srv.DSN())
			require.NoError(t, err)
			t.Cleanup(func() { _ = db.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()

			done := make(chan error, 1)
			go func() {
				_, err := db.ExecContext(ctx, "CREATE STREAM s AS SELECT 1;")
				done <- err
			}()
			subs, err := srv.WaitRequests(ctx, 1, func(r *dstest.Request) bool {
				return r.Method == http.MethodPost && r.StatementID != ""
			})
			require.NoError(t, err)
			id := subs[0].StatementID
			polls, err := srv.WaitPolls(ctx, id, 2)
			require.NoError(t, err)
			require.Len(t, polls, 2)
			gate.Release()
			require.NoError(t, <-done)
			assert.GreaterOrEqual(t, len(srv.Polls(id)), 2, "the second poll, or a later one, saw the release")
		})
	}
}
