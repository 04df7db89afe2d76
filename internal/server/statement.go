package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// kind says where a successful statement's rows live.
type kind int

const (
	kindRows      kind = iota // rows on the control plane
	kindDataplane             // rows on the dataplane result-set route
	kindStreaming             // rows on the dataplane WebSocket
)

// statement is one submitted statement and its precomputed answers.
type statement struct {
	id        string
	ids       []string // statement ids of a batch submission, else nil
	createdOn int64
	readyAt   time.Time
	gate      <-chan struct{}
	out       *Outcome
	kind      kind
	dpToken   string // dataplane token (dataplane and streaming kinds)

	// Answers once ready, encoded at submission time.
	post      body // answer to the POST (carries ids)
	get       body // answer to a control-plane GET
	data      body // answer to a dataplane GET (kindDataplane)
	partCount int
	rowCounts []int64 // rows per partition

	mu        sync.Mutex
	dpExpires time.Time
	failLeft  int

	// Retention (see retention.go).
	refs    atomic.Int32 // 1 while in s.statements, +1 per request using it
	touched atomic.Int64 // UnixNano of the last access
	hkey    int64        // key in s.idle, <= the last access (s.mu)
	hidx    int          // index in s.idle, -1 when not there (s.mu)
}

// body is a precomputed answer: pre alone when post is nil, else pre, the
// JSON array of the requested partition, then post.
type body struct {
	pre, post []byte
}

// ready reports whether the statement has finished at now.
func (st *statement) ready(now time.Time) bool {
	if now.Before(st.readyAt) {
		return false
	}
	if st.gate == nil {
		return true
	}
	select {
	case <-st.gate:
		return true
	default:
		return false
	}
}

// takeFailure consumes one injected GET failure; it returns the status to
// answer, or 0.
func (st *statement) takeFailure() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.failLeft <= 0 {
		return 0
	}
	st.failLeft--
	if st.out.FailStatus != 0 {
		return st.out.FailStatus
	}
	return http.StatusServiceUnavailable
}

// newStatement builds statement id for outcome o of a submission made at
// now, with its answers encoded in the server's key order. Every answer
// carries metadata (the spec requires it) with a context, at least {}.
func (s *Server) newStatement(o *Outcome, id string, ids []string, now time.Time) *statement {
	st := &statement{
		id:        id,
		ids:       ids,
		createdOn: now.Unix(),
		readyAt:   now.Add(o.RunTime),
		gate:      o.Gate,
		out:       o,
		failLeft:  o.FailGETs,
		dpExpires: now.Add(o.RunTime).Add(s.dpTTL),
		hidx:      -1,
	}
	st.refs.Store(1)
	head := resultHead{sqlState: o.SQLState, message: o.Message, statementID: id, createdOn: st.createdOn}
	if o.SQLState != "" && o.SQLState != wire.StateSuccess {
		// A SQL error: metadata without columns or partitions, no data.
		head.meta = &wire.Metadata{Context: o.Context}
		s.encode(st, head, nil)
		return st
	}
	head.sqlState, head.message = wire.StateSuccess, ""
	st.rowCounts = rowCounts(o)
	meta := &wire.Metadata{
		Encoding:      "json",
		PartitionInfo: make([]wire.PartitionInfo, len(st.rowCounts)),
		Columns:       o.Columns,
		Context:       o.Context,
	}
	if meta.Columns == nil {
		meta.Columns = []wire.Column{}
	}
	for i, n := range st.rowCounts {
		meta.PartitionInfo[i].RowCount = n
	}
	st.partCount = len(st.rowCounts)
	switch {
	case o.Stream != nil:
		st.kind = kindStreaming
	case o.Dataplane:
		st.kind = kindDataplane
	}
	if st.kind == kindRows {
		head.meta, head.data = meta, splitData
		s.encode(st, head, nil)
		return st
	}

	// The rows are on the dataplane: the control plane answers with the
	// dataplane request, no partitions and "data":[] (as in a recorded
	// answer of the service).
	st.dpToken = newToken()
	cpMeta := *meta
	cpMeta.PartitionInfo = nil
	dp := &wire.DataplaneRequest{Token: st.dpToken, StatementID: id}
	if st.kind == kindStreaming {
		// The columns come with the WebSocket's metadata frame.
		cpMeta.Columns = nil
		dp.URI, dp.RequestType = s.wsURL+"/print/"+id, wire.RequestStreaming
	} else {
		dp.URI, dp.RequestType, dp.QueryID = s.dpURL+"/statements/"+id, wire.RequestResultSet, uuid.NewString()
	}
	cpMeta.DataplaneRequest = dp
	head.meta, head.data = &cpMeta, emptyData
	s.encode(st, head, meta)
	return st
}

// encode precomputes the answers of a finished statement from head:
// control-plane answers as head says, dataplane answers (when dpMeta is
// set) with dpMeta and a partition.
func (s *Server) encode(st *statement, head resultHead, dpMeta *wire.Metadata) {
	st.get.pre, st.get.post = encodeResult(s.order, &head)
	st.post = st.get
	if len(st.ids) > 0 {
		post := head
		post.statementIDs = st.ids
		st.post.pre, st.post.post = encodeResult(s.order, &post)
	}
	if dpMeta != nil {
		head.meta, head.data = dpMeta, splitData
		st.data.pre, st.data.post = encodeResult(s.order, &head)
	}
}

// newToken returns a random opaque dataplane token.
func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "dpt_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// Forget drops statement id, as the service does with old statements:
// from then on GETs of id answer 404 (unless the Engine, a
// StatementFinder, finds it again), its dataplane token is refused, and
// new WebSockets to it are refused; connections already open go on. Its
// PageSource, if a Releaser, is released once the requests reading it
// have finished. It reports whether the statement was known.
func (s *Server) Forget(id string) bool {
	s.mu.Lock()
	st := s.statements[id]
	if st != nil {
		s.forgetLocked(st)
	}
	s.mu.Unlock()
	if st == nil {
		return false
	}
	st.unref()
	return true
}
