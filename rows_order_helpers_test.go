package deltastream_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// A replay server for the key-order tests and benchmarks: it answers one
// statement with pre-encoded bodies in either key order, the service's
// alphabetical one (createdOn, data, metadata, sqlState, statementID, and
// alphabetical inside metadata too) or the legacy one (sqlState,
// statementID, metadata, data last), so that the driver is tested against
// both without depending on dstest's choice.

// keyOrder is the order of the keys in the answers of an orderServer.
type keyOrder int

const (
	keyOrderAlpha  keyOrder = iota // the service's: alphabetical at every level
	keyOrderLegacy                 // sqlState, statementID, metadata first, data last
)

func (o keyOrder) String() string {
	if o == keyOrderAlpha {
		return "alphabetical"
	}
	return "legacy"
}

var keyOrders = []keyOrder{keyOrderAlpha, keyOrderLegacy}

// orderAnswer is one answer body, before encoding.
type orderAnswer struct {
	SQLState     string
	Message      string
	StatementID  string
	StatementIDs []string
	Metadata     *wire.Metadata
	Data         [][]*string // nil: the key is left out
}

// encode renders a in order.
func (a *orderAnswer) encode(order keyOrder) []byte {
	rs := wire.ResultSet{SQLState: a.SQLState, Message: a.Message, StatementID: a.StatementID,
		StatementIDs: a.StatementIDs, CreatedOn: 1709673115, Metadata: a.Metadata}
	if order == keyOrderLegacy {
		rs.Data = a.Data
		b, err := json.Marshal(rs)
		if err != nil {
			panic(err)
		}
		if a.Data != nil && len(a.Data) == 0 {
			b = append(b[:len(b)-1], `,"data":[]}`...)
		}
		return b
	}
	// Alphabetical: encoding/json sorts the keys of maps, at every level.
	var b bytes.Buffer
	b.WriteString(`{"createdOn":1709673115`)
	if a.Data != nil {
		b.WriteString(`,"data":`)
		d, err := json.Marshal(a.Data)
		if err != nil {
			panic(err)
		}
		b.Write(d)
	}
	head, err := json.Marshal(rs)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(head, &m); err != nil {
		panic(err)
	}
	delete(m, "createdOn")
	sorted, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	if len(sorted) > 2 {
		b.WriteByte(',')
		b.Write(sorted[1:])
	} else {
		b.WriteByte('}')
	}
	return b.Bytes()
}

// orderServer serves statement id: partition 0 answers the submission (or
// a 202 first, when running is set), partition N a GET with partitionID=N.
type orderServer struct {
	ts    *httptest.Server
	token string

	mu      sync.Mutex
	bodies  map[string][]byte // "id/part" (part -1: status) -> body
	running map[string]bool   // statement ids answered 202 once
	gets    map[string]int    // "id/part" -> number of GETs
	ctype   string
}

func newOrderServer(t testing.TB) *orderServer {
	s := &orderServer{token: "order-test-token-0123456789", bodies: map[string][]byte{},
		running: map[string]bool{}, gets: map[string]int{}, ctype: "application/json"}
	s.ts = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.ts.Close)
	return s
}

// dsn returns a DSN for the server with extra parameters.
func (s *orderServer) dsn(params ...string) string {
	u, _ := url.Parse(s.ts.URL)
	u.User = url.UserPassword("", s.token)
	u.Path = "/v2"
	dsn := u.String()
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	return dsn
}

// set makes the server answer GETs of statement id, partition part (-1:
// without partitionID; 0 also answers the submission) with body.
func (s *orderServer) set(id string, part int, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies[id+"/"+strconv.Itoa(part)] = body
}

// runFirst makes the submission of id answer 202 first.
func (s *orderServer) runFirst(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running[id] = true
}

// getCount returns how many GETs partition part of id had.
func (s *orderServer) getCount(id string, part int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[id+"/"+strconv.Itoa(part)]
}

// submitID is the statement the submission answers for.
var submitID = "b7c1a3e2-0000-4000-8000-000000000001"

func (s *orderServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+s.token && !strings.HasPrefix(r.URL.Path, "/dp/") {
		http.Error(w, `{"message":"bad token"}`, http.StatusForbidden)
		return
	}
	s.mu.Lock()
	var key string
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/statements"):
		key = submitID + "/0"
		if s.running[submitID] {
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusAccepted)
			_, _ = w.Write((&orderAnswer{SQLState: wire.StateRunning, StatementID: submitID}).encode(keyOrderAlpha))
			return
		}
	case r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/statements/"):
		id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		part := -1
		if p := r.URL.Query().Get("partitionID"); p != "" {
			part, _ = strconv.Atoi(p)
		}
		key = id + "/" + strconv.Itoa(part)
		if part < 0 {
			if _, ok := s.bodies[key]; !ok {
				key = id + "/0"
			}
		}
		s.gets[id+"/"+strconv.Itoa(part)]++
	}
	body, ok := s.bodies[key]
	ctype := s.ctype
	s.mu.Unlock()
	if !ok {
		http.Error(w, `{"message":"not scripted: `+r.Method+` `+r.URL.String()+`"}`, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}

// orderRows returns rows [from, to) of two cells: "r<i>" and i.
func orderRows(from, to int) [][]*string {
	out := make([][]*string, 0, to-from)
	for i := from; i < to; i++ {
		a, b := "r"+strconv.Itoa(i), strconv.Itoa(i)
		out = append(out, []*string{&a, &b})
	}
	return out
}

// scriptParts scripts submitID with VARCHAR and BIGINT columns and
// partitions of the given sizes, each answer in order. Every answer carries
// the same metadata, as the service's do.
func scriptParts(s *orderServer, order keyOrder, sizes ...int) {
	yes := true
	md := &wire.Metadata{Encoding: "json", Context: &wire.Context{DatabaseName: "db"},
		Columns: []wire.Column{{Name: "tag", Type: "VARCHAR", Nullable: &yes}, {Name: "i", Type: "BIGINT", Nullable: &yes}}}
	for range sizes {
		md.PartitionInfo = append(md.PartitionInfo, wire.PartitionInfo{RowCount: 1})
	}
	n := 0
	for p, size := range sizes {
		a := &orderAnswer{SQLState: wire.StateSuccess, StatementID: submitID, Metadata: md, Data: orderRows(n, n+size)}
		s.set(submitID, p, a.encode(order))
		n += size
	}
}
