package server

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"sync"
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

	// Answers once ready, encoded at submission time. For a SQL error they
	// are whole bodies; for rows they end with `"data":` and the partition
	// and a closing brace follow.
	postBody  []byte // answer to the POST (carries ids)
	getBody   []byte // answer to a control-plane GET
	dataBody  []byte // answer to a dataplane GET (kindDataplane)
	withData  bool   // getBody (and postBody) expect a partition
	partCount int
	rowCounts []int64 // rows per partition

	mu        sync.Mutex
	dpExpires time.Time
	failLeft  int
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

// newStatement builds a statement for outcome o of a submission made at now.
func (s *Server) newStatement(r *http.Request, o *Outcome, id string, ids []string, now time.Time) (*statement, error) {
	st := &statement{
		id:        id,
		ids:       ids,
		createdOn: now.Unix(),
		readyAt:   now.Add(o.RunTime),
		gate:      o.Gate,
		out:       o,
		failLeft:  o.FailGETs,
		dpExpires: now.Add(o.RunTime).Add(s.dpTTL),
	}
	head := wire.ResultSet{SQLState: o.SQLState, Message: o.Message, StatementID: id, CreatedOn: st.createdOn}
	if o.SQLState != "" && o.SQLState != wire.StateSuccess {
		return st, st.encode(head, nil, nil, false)
	}
	head.SQLState, head.Message = wire.StateSuccess, ""
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
		return st, st.encode(head, meta, nil, true)
	}

	st.dpToken = newToken()
	path, typ := "/statements/", wire.RequestResultSet
	if st.kind == kindStreaming {
		path, typ = "/print/", wire.RequestStreaming
	}
	cpMeta := *meta
	cpMeta.PartitionInfo = nil
	cpMeta.DataplaneRequest = &wire.DataplaneRequest{
		Token:       st.dpToken,
		URI:         origin(r) + s.dpBase + path + id,
		StatementID: id,
		QueryID:     uuid.NewString(),
		RequestType: typ,
	}
	return st, st.encode(head, &cpMeta, meta, false)
}

// encode precomputes the answers of a finished statement: cpMeta goes to
// control-plane answers, dpMeta (if any) to dataplane answers, which always
// carry data.
func (st *statement) encode(head wire.ResultSet, cpMeta, dpMeta *wire.Metadata, withData bool) error {
	var err error
	st.withData = withData
	head.Metadata = cpMeta
	if st.getBody, err = encodeHead(head, withData); err != nil {
		return err
	}
	st.postBody = st.getBody
	if len(st.ids) > 0 {
		post := head
		post.StatementIDs = st.ids
		if st.postBody, err = encodeHead(post, withData); err != nil {
			return err
		}
	}
	if dpMeta != nil {
		head.Metadata = dpMeta
		st.dataBody, err = encodeHead(head, true)
	}
	return err
}

// encodeHead encodes rs; withData leaves the object open after `"data":`
// for the partition to follow.
func encodeHead(rs wire.ResultSet, withData bool) ([]byte, error) {
	b, err := json.Marshal(rs)
	if err != nil || !withData {
		return b, err
	}
	b = b[:len(b)-1] // drop the closing brace
	return append(b, `,"data":`...), nil
}

// origin returns the scheme and host the client used to reach the server.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// newToken returns a random opaque dataplane token.
func newToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "dpt_" + base64.RawURLEncoding.EncodeToString(b[:])
}
