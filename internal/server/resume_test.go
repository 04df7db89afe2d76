package server

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// findingEngine answers submissions with ok and knows the ids in known.
type findingEngine struct {
	known map[string]*Outcome
	calls atomic.Int32
}

func (e *findingEngine) Execute(context.Context, *Submission) []*Outcome { return []*Outcome{{}} }

func (e *findingEngine) FindStatement(_ context.Context, id string) *Outcome {
	e.calls.Add(1)
	return e.known[id]
}

func TestStatementFinder(t *testing.T) {
	clock := newFakeClock()
	gate := make(chan struct{})
	cols := []wire.Column{{Name: "v", Type: "VARCHAR"}}
	e := &findingEngine{known: map[string]*Outcome{
		"done":    {Columns: cols, Partitions: SplitRows(rowsOf([]string{"a"}, []string{"b"}), 1)},
		"running": {Gate: gate},
		"failed":  {SQLState: "42601", Message: "syntax"},
		"mv":      {Columns: cols, Partitions: SplitRows(rowsOf([]string{"a"}), 0), Dataplane: true},
	}}
	h := newHarness(t, Config{Engine: e, Clock: clock})

	tests := []struct {
		id     string
		path   string
		status int
		state  string
		rows   [][]string
	}{
		{"done", "/v2/statements/done?partitionID=1", http.StatusOK, wire.StateSuccess, [][]string{{"b"}}},
		{"running", "/v2/statements/running", http.StatusAccepted, wire.StateRunning, nil},
		{"failed", "/v2/statements/failed", http.StatusOK, "42601", nil},
		{"unknown", "/v2/statements/unknown", http.StatusNotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			r := h.get(tt.path)
			require.Equal(t, tt.status, r.status, "body: %s", r.body)
			if tt.status == http.StatusNotFound {
				assert.Contains(t, r.errorBody(t).Message, "statement unknown not found")
				return
			}
			rs := r.resultSet(t)
			assert.Equal(t, tt.id, rs.StatementID)
			assert.Equal(t, tt.state, rs.SQLState)
			assert.Equal(t, clock.Now().Unix(), rs.CreatedOn)
			if tt.rows != nil {
				assert.Equal(t, tt.rows, cells(rs.Data))
			}
		})
	}

	calls := e.calls.Load()
	close(gate)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/running").status, "the kept statement is answered")
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/done").status)
	assert.Equal(t, calls, e.calls.Load(), "known ids are not looked up again")
	h.get("/v2/statements/unknown")
	assert.Equal(t, calls+1, e.calls.Load(), "unknown ids are asked about each time")

	// A found dataplane statement gets a dataplane token like a submitted one.
	mv := h.get("/v2/statements/mv").resultSet(t)
	dp := mv.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	g := h.dpGet("/v2/statements/mv", dp.Token)
	require.Equal(t, http.StatusOK, g.status, "body: %s", g.body)
	assert.Equal(t, [][]string{{"a"}}, cells(g.resultSet(t).Data))
}

func TestStatementFinderConcurrent(t *testing.T) {
	e := &findingEngine{known: map[string]*Outcome{"x": {}}}
	h := newHarness(t, Config{Engine: e})
	var wg sync.WaitGroup
	created := make([]int64, 8)
	for i := range created {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.get("/v2/statements/x")
			if r.status == http.StatusOK {
				created[i] = r.resultSet(t).CreatedOn
			}
		}()
	}
	wg.Wait()
	for _, c := range created {
		assert.Equal(t, created[0], c)
	}
	h.srv.mu.Lock()
	assert.Len(t, h.srv.statements, 1)
	h.srv.mu.Unlock()
}

func TestUnknownStatementWithoutFinder(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	r := h.get("/v2/statements/0b8e5c3a-0000-4000-8000-000000000000")
	require.Equal(t, http.StatusNotFound, r.status)
	assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	e := r.errorBody(t)
	assert.Contains(t, e.Message, "not found")
	assert.NotEmpty(t, e.TraceID)
	requireSorted(t, r.body)
}

func TestRecordedPlaneAndStatementID(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{Dataplane: true})})
	ch := h.srv.Recorded()
	rs := h.submitSQL("SELECT 1;").resultSet(t)
	<-ch // closed by the POST's record
	h.get("/v2/statements/" + rs.StatementID + "?partitionID=0")
	h.dpGet("/v2/statements/"+rs.StatementID, rs.Metadata.DataplaneRequest.Token)
	h.get("/v2/version")
	h.get("/v2/statements/" + rs.StatementID + "/x")

	type rec struct {
		method, path, id string
		dp               bool
	}
	var got []rec
	for _, r := range h.srv.Requests() {
		got = append(got, rec{r.Method, r.Path, r.StatementID, r.Dataplane})
	}
	id := rs.StatementID
	assert.Equal(t, []rec{
		{http.MethodPost, "/v2/statements", id, false},
		{http.MethodGet, "/v2/statements/" + id, id, false},
		{http.MethodGet, "/v2/statements/" + id, id, true},
		{http.MethodGet, "/v2/version", "", false},
		{http.MethodGet, "/v2/statements/" + id + "/x", "", false},
	}, got)

	// The fault hook sees the id of a GET, not yet the one of a POST.
	var hooked []string
	var mu sync.Mutex
	h.srv.SetFault(func(r *Request, _ int) *Fault {
		mu.Lock()
		hooked = append(hooked, r.StatementID)
		mu.Unlock()
		return nil
	})
	h.submitSQL("SELECT 2;")
	h.get("/v2/statements/" + id)
	assert.Equal(t, []string{"", id}, hooked)

	ch = h.srv.Recorded()
	h.srv.ResetRequests()
	<-ch // a reset wakes waiters too
}

func TestForget(t *testing.T) {
	h := newHarness(t, Config{Engine: engineFunc(func(sub *Submission) []*Outcome {
		if sub.Statements[0] == "PRINT;" {
			return []*Outcome{{Stream: newChanStream()}}
		}
		return []*Outcome{{Dataplane: true}}
	})})
	rs := h.submitSQL("SELECT 1;").resultSet(t)
	tok := rs.Metadata.DataplaneRequest.Token
	require.Equal(t, http.StatusOK, h.dpGet("/v2/statements/"+rs.StatementID, tok).status)
	st := h.submitSQL("PRINT;").resultSet(t)

	assert.True(t, h.srv.Forget(rs.StatementID))
	assert.False(t, h.srv.Forget(rs.StatementID))
	assert.True(t, h.srv.Forget(st.StatementID))
	assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+rs.StatementID).status)
	assert.Equal(t, http.StatusForbidden, h.dpGet("/v2/statements/"+rs.StatementID, tok).status)
	assert.Equal(t, http.StatusNotFound, h.dpGet("/v2/print/"+st.StatementID, st.Metadata.DataplaneRequest.Token).status)
}
