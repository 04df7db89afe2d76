package server

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// releasingPages is a countingPages that counts its releases and fails
// the test when a page is read after one.
type releasingPages struct {
	countingPages
	t        testing.TB
	released atomic.Int32
}

func newReleasingPages(t testing.TB, counts ...int64) *releasingPages {
	return &releasingPages{countingPages: countingPages{counts: counts, fail: -1, short: -1, asked: map[int]int{}}, t: t}
}

func (p *releasingPages) Page(n int) (Partition, error) {
	assert.Zero(p.t, p.released.Load(), "Page called after Release")
	return p.countingPages.Page(n)
}

func (p *releasingPages) Release() { p.released.Add(1) }

// kept returns the sizes of the server's statement, token and heap
// bookkeeping.
func (h *harness) kept() (statements, tokens, idle int) {
	h.srv.mu.Lock()
	defer h.srv.mu.Unlock()
	return len(h.srv.statements), len(h.srv.tokens), len(h.srv.idle)
}

func TestStatementTTL(t *testing.T) {
	const ttl = 10 * time.Minute
	type step struct {
		advance time.Duration // clock advance before the GET
		part    int           // partition asked for
		dp      bool          // GET on the dataplane with the statement's token
		want    int           // status
	}
	tests := []struct {
		name  string
		out   Outcome
		steps []step
	}{
		{"finished statement forgotten after TTL", Outcome{}, []step{
			{ttl - time.Second, 0, false, http.StatusOK}, // the GET is an access
			{ttl - time.Second, 0, false, http.StatusOK},
			{ttl, 0, false, http.StatusNotFound},
		}},
		{"untouched statement forgotten TTL after submission", Outcome{}, []step{
			{ttl, 0, false, http.StatusNotFound},
		}},
		{"running statement kept", Outcome{RunTime: 3 * ttl}, []step{
			{2 * ttl, 0, false, http.StatusAccepted},
			{ttl / 2, 0, false, http.StatusAccepted},
			{ttl / 2, 0, false, http.StatusOK}, // finished; its TTL counts from here
			{ttl - time.Second, 0, false, http.StatusOK},
			{ttl, 0, false, http.StatusNotFound},
		}},
		{"paged statement kept while read", Outcome{Pages: newReleasingPages(t, 1, 1, 1, 1)}, []step{
			{ttl - time.Second, 1, false, http.StatusOK},
			{ttl - time.Second, 2, false, http.StatusOK},
			{ttl - time.Second, 3, false, http.StatusOK},
			{ttl, 0, false, http.StatusNotFound},
		}},
		{"dataplane token refused once forgotten", Outcome{Dataplane: true, Pages: newReleasingPages(t, 1, 1)}, []step{
			{0, 0, false, http.StatusOK}, // hands out the token
			{ttl - time.Second, 0, true, http.StatusOK},
			{ttl - time.Second, 1, true, http.StatusOK},
			{ttl, 0, true, http.StatusForbidden},
			{0, 0, false, http.StatusNotFound},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			h := newHarness(t, Config{Engine: answerAll(tt.out), Clock: clock, StatementTTL: ttl,
				DataplaneTokenTTL: 24 * time.Hour})
			first := h.submitSQL("SELECT 1;").resultSet(t)
			token := ""
			for i, s := range tt.steps {
				clock.Advance(s.advance)
				q := "/v2/statements/" + first.StatementID + "?partitionID=" + strconv.Itoa(s.part)
				var r response
				if s.dp {
					r = h.dpGet(q, token)
				} else {
					r = h.get(q)
				}
				require.Equal(t, s.want, r.status, "step %d: %s", i, r.body)
				if r.status == http.StatusOK && !s.dp {
					if dp := r.resultSet(t).Metadata.DataplaneRequest; dp != nil {
						token = dp.Token
					}
				}
			}
			n, tokens, idle := h.kept()
			assert.Equal(t, [3]int{0, 0, 0}, [3]int{n, tokens, idle})
			if p, ok := tt.out.Pages.(*releasingPages); ok {
				assert.Equal(t, int32(1), p.released.Load())
			}
		})
	}
}

func TestRetentionBoundsMemory(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		every  time.Duration // clock advance between submissions
		maxLen int
	}{
		{"ttl", Config{StatementTTL: time.Minute}, time.Second, 61},
		{"max statements", Config{MaxStatements: 10}, time.Second, 10},
		{"both", Config{StatementTTL: time.Hour, MaxStatements: 25}, time.Second, 25},
		{"ttl with streaming and dataplane", Config{StatementTTL: 30 * time.Second}, time.Second, 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			n := 0
			tt.cfg.Clock = clock
			tt.cfg.Engine = engineFunc(func(sub *Submission) []*Outcome {
				n++
				switch n % 3 {
				case 1:
					return []*Outcome{{Dataplane: true}}
				case 2:
					return []*Outcome{{Stream: newChanStream()}}
				}
				return []*Outcome{{}}
			})
			h := newHarness(t, tt.cfg)
			var ids []string
			for i := range 300 {
				ids = append(ids, h.submitSQL("SELECT "+strconv.Itoa(i)+";").resultSet(t).StatementID)
				clock.Advance(tt.every)
				statements, tokens, idle := h.kept()
				require.LessOrEqual(t, statements, tt.maxLen, "after %d submissions", i+1)
				require.LessOrEqual(t, tokens, statements)
				require.Equal(t, statements, idle)
			}
			assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+ids[0]).status)
			assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+ids[len(ids)-1]).status)
		})
	}
}

func TestMaxStatementsForgetsLeastRecentlyAccessed(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Config{Engine: answerAll(Outcome{}), Clock: clock, MaxStatements: 3})
	var ids []string
	for range 3 {
		ids = append(ids, h.submitSQL("SELECT 1;").resultSet(t).StatementID)
		clock.Advance(time.Second)
	}
	require.Equal(t, http.StatusOK, h.get("/v2/statements/"+ids[0]).status) // ids[1] is now the oldest
	clock.Advance(time.Second)
	h.submitSQL("SELECT 2;")
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+ids[0]).status)
	assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+ids[1]).status)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+ids[2]).status)
}

func TestRetentionKeepsGatedStatements(t *testing.T) {
	clock := newFakeClock()
	gate := make(chan struct{})
	h := newHarness(t, Config{Engine: answerAll(Outcome{Gate: gate}), Clock: clock, MaxStatements: 1, StatementTTL: time.Minute})
	a := h.submitSQL("SELECT 1;").resultSet(t).StatementID
	clock.Advance(time.Hour)
	b := h.submitSQL("SELECT 2;").resultSet(t).StatementID // over the cap, but a runs
	clock.Advance(time.Hour)
	c := h.submitSQL("SELECT 3;").resultSet(t).StatementID
	for _, id := range []string{a, b, c} {
		assert.Equal(t, http.StatusAccepted, h.get("/v2/statements/"+id).status)
	}
	close(gate)
	clock.Advance(time.Second)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+b).status)
	clock.Advance(time.Second)
	d := h.submitSQL("SELECT 4;").resultSet(t).StatementID
	for _, id := range []string{a, b, c} {
		assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+id).status)
	}
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+d).status)
	clock.Advance(time.Minute)
	assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+d).status)
}

func TestRetentionKeepsStreamWithOpenWebSocket(t *testing.T) {
	clock := newFakeClock()
	stream := newChanStream()
	h := newHarness(t, Config{Engine: answerAll(Outcome{Stream: stream}), Clock: clock,
		StatementTTL: time.Minute, DataplaneTokenTTL: 24 * time.Hour})
	c, dp := dialStream(t, h)
	sendAuth(t, c, dp.Token)
	_, err := readFrame(t, c)
	require.NoError(t, err)
	<-stream.served

	clock.Advance(time.Hour)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+dp.StatementID).status, "kept while its WebSocket is open")
	clock.Advance(time.Hour)
	close(stream.rows)
	_, err = readFrame(t, c)
	require.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "err: %v", err)
	h.srv.active.Wait() // the WebSocket handler has returned: its end was the last access

	clock.Advance(time.Minute - time.Second)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+dp.StatementID).status)
	clock.Advance(time.Minute)
	assert.Equal(t, http.StatusNotFound, h.get("/v2/statements/"+dp.StatementID).status)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, dp.URI, nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

func TestReleaseOnForgetAndClose(t *testing.T) {
	tests := []struct {
		name   string
		forget func(h *harness, id string)
	}{
		{"Forget", func(h *harness, id string) { assert.True(t, h.srv.Forget(id)) }},
		{"Close", func(h *harness, _ string) { h.srv.Close() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages := newReleasingPages(t, 1)
			h := newHarness(t, Config{Engine: answerAll(Outcome{Pages: pages})})
			id := h.submitSQL("SELECT 1;").resultSet(t).StatementID
			assert.Zero(t, pages.released.Load())
			tt.forget(h, id)
			assert.Equal(t, int32(1), pages.released.Load())
			h.srv.Close()
			assert.Equal(t, int32(1), pages.released.Load(), "released once")
		})
	}
}

func TestForgetWhileReadingReleasesAfterTheRead(t *testing.T) {
	pages := newReleasingPages(t, 1)
	h := newHarness(t, Config{Engine: answerAll(Outcome{Pages: pages})})
	id := h.submitSQL("SELECT 1;").resultSet(t).StatementID
	st := h.srv.lookup(id) // a request reading it
	require.NotNil(t, st)
	assert.True(t, h.srv.Forget(id))
	assert.Zero(t, pages.released.Load(), "not released while read")
	_, err := st.partitionJSON(0)
	require.NoError(t, err)
	h.srv.release(st)
	assert.Equal(t, int32(1), pages.released.Load())
}

func TestDiscardRequests(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{}), DiscardRequests: true})
	var seen []int
	h.srv.SetFault(func(_ *Request, n int) *Fault {
		seen = append(seen, n)
		return nil
	})
	id := h.submitSQL("SELECT 1;").resultSet(t).StatementID
	require.Equal(t, http.StatusOK, h.get("/v2/statements/"+id).status)
	assert.Empty(t, h.srv.Requests())
	assert.Equal(t, []int{1, 2}, seen)
}
