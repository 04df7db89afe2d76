package dstest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
)

func TestOnID(t *testing.T) {
	srv := dstest.NewServer(t)
	const done, running, failed, broken, unknown = "6d6b9e67-1faf-41d1-96cc-b559621fc8ae", "running-id", "failed-id", "broken-id", "unknown-id"
	srv.OnID(done).Columns(dstest.Col("n", "INTEGER")).Rows([]any{1}, []any{2}).PartitionSize(1)
	gate := srv.OnID(running).Rows([]any{"late"}).Hold()
	srv.OnID(failed).Error("42601", "syntax error")
	srv.OnID(broken).HTTPError(http.StatusInternalServerError, `{"message":"boom"}`)
	srv.On("SELECT 1;")
	c := newClient(t, srv)

	tests := []struct {
		name, id, query string
		status          int
		state           string
		rows            [][]string
	}{
		{"finished", done, "?partitionID=1", http.StatusOK, "00000", [][]string{{"2"}}},
		{"running", running, "", http.StatusAccepted, "03000", nil},
		{"failed", failed, "", http.StatusOK, "42601", nil},
		{"http error", broken, "", http.StatusInternalServerError, "", nil},
		{"unknown", unknown, "", http.StatusNotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.get("/statements/" + tt.id + tt.query)
			require.Equal(t, tt.status, a.status, "body: %s", a.body)
			if tt.state == "" {
				return
			}
			rs := a.rs(t)
			assert.Equal(t, tt.id, rs.StatementID)
			assert.Equal(t, tt.state, rs.SQLState)
			if tt.rows != nil {
				assert.Equal(t, tt.rows, rows(rs.Data))
			}
		})
	}
	gate.Release()
	assert.Equal(t, [][]string{{"late"}}, rows(c.get("/statements/"+running).rs(t).Data))
	assert.Contains(t, string(c.get("/statements/"+unknown).body), "not found")
	assert.Equal(t, 0, srv.Submitted("SELECT 1;"), "OnID scripts match no submission")
	c.sql("SELECT 1;")
	assert.Equal(t, 1, srv.Submitted("SELECT 1;"))
	assert.Equal(t, http.StatusOK, c.get("/statements/"+srv.Submissions()[0].StatementID).status)
}

func TestPollsAndWaitPolls(t *testing.T) {
	srv := dstest.NewServer(t)
	gate := srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "created").Hold()
	c := newClient(t, srv)
	id := c.sql("CREATE STREAM s AS SELECT 1;").rs(t).StatementID
	assert.Empty(t, srv.Polls(id))

	// A client polls until the statement is done.
	polled := make(chan int)
	go func() {
		n := 0
		for {
			n++
			req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/statements/"+id, nil)
			req.Header.Set("Authorization", "Bearer "+srv.Token())
			resp, err := srv.Client().Do(req)
			if err != nil {
				polled <- -1
				return
			}
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				polled <- n
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	polls, err := srv.WaitPolls(ctx, id, 3)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(polls), 3)
	for _, p := range polls {
		assert.Equal(t, http.MethodGet, p.Method)
		assert.Equal(t, id, p.StatementID)
		assert.False(t, p.Dataplane)
	}
	gate.Release()
	n := <-polled
	require.GreaterOrEqual(t, n, 3, "the last poll may have been answered after the release")
	assert.Len(t, srv.Polls(id), n)
	assert.Empty(t, srv.Polls("other"))

	short, cancel2 := context.WithCancel(context.Background())
	cancel2()
	got, err := srv.WaitPolls(short, id, n+1)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Len(t, got, n)

	srv.ResetRequests()
	assert.Empty(t, srv.Polls(id))
}

func TestForget(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Rows([]any{1})
	srv.OnID("scripted").Rows([]any{2})
	c := newClient(t, srv)
	id := c.sql("SELECT 1;").rs(t).StatementID
	require.Equal(t, http.StatusOK, c.get("/statements/"+id).status)
	assert.True(t, srv.Forget(id))
	assert.Equal(t, http.StatusNotFound, c.get("/statements/"+id).status)
	assert.False(t, srv.Forget(id))

	require.Equal(t, http.StatusOK, c.get("/statements/scripted").status)
	assert.True(t, srv.Forget("scripted"))
	assert.Equal(t, [][]string{{"2"}}, rows(c.get("/statements/scripted").rs(t).Data), "the script answers again")
}
