package deltastream_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The golden replay harness serves answers written in the service's
// format, byte for byte, from testdata/golden/: a control-plane listener
// and a dataplane listener on another origin (another port), each with
// base path /v2. The harness knows nothing of the protocol beyond routing
// a request to the next scripted answer: it checks what the driver sends
// (statement text, bearer token per origin, time zone) and serves the
// stored bytes, so the driver meets exactly what the service sends.

// goldenOrder is the key order a golden answer is served in.
type goldenOrder int

const (
	// orderAlphabetical serves the files as stored: keys in alphabetical
	// order at every level, as the service writes them.
	orderAlphabetical goldenOrder = iota
	// orderLegacy moves the top-level header keys (sqlState, message,
	// statementID, statementIDs, createdOn, metadata) first and data
	// last, the order of the official clients' hand-written fixtures.
	orderLegacy
)

func (o goldenOrder) String() string {
	if o == orderAlphabetical {
		return "alphabetical"
	}
	return "legacy"
}

// forEachGoldenOrder runs fn once per key order, as subtests named for the
// order.
func forEachGoldenOrder(t *testing.T, sc goldenScenario, fn func(t *testing.T, order goldenOrder)) {
	t.Helper()
	for _, order := range []goldenOrder{orderAlphabetical, orderLegacy} {
		t.Run(order.String(), func(t *testing.T) {
			fn(t, order)
		})
	}
}

// Placeholders in golden files, replaced at serve time by the address of
// the dataplane listener.
const (
	goldenDataplaneHTTP = "{{DATAPLANE}}"    // http://127.0.0.1:port
	goldenDataplaneWS   = "{{DATAPLANE_WS}}" // ws://127.0.0.1:port
)

// goldenPlane says which listener an exchange belongs to.
type goldenPlane int

const (
	planeControl goldenPlane = iota
	planeData
)

// Methods of exchanges: HTTP methods, or methodWS for a WebSocket whose
// file holds one frame per line.
const methodWS = "WS"

// goldenExchange is one scripted answer. Exchanges with the same plane,
// method, path and partition form a queue: each request takes the next
// one, and the last one answers every further request.
type goldenExchange struct {
	plane  goldenPlane
	method string // http.MethodPost, http.MethodGet or methodWS
	path   string // below /v2, e.g. "/statements/<id>" or "/print/<id>"
	part   int    // partitionID of a GET; an absent partitionID is 0
	status int    // HTTP status (ignored for methodWS)
	file   string // the answer, relative to testdata/golden
}

// goldenScenario is what one replay serves and expects.
type goldenScenario struct {
	statement string // the SQL the driver must submit
	dpToken   string // the dataplane token handed out, if any
	exchanges []goldenExchange
}

const (
	goldenAPIToken = "golden-api-token-0123456789"
	goldenZone     = "America/New_York"
)

// goldenServer replays one scenario on two listeners.
type goldenServer struct {
	t     *testing.T
	sc    goldenScenario
	order goldenOrder
	cp    *httptest.Server
	dp    *httptest.Server
	ws    sync.WaitGroup // WebSocket handlers, which outlive Server.Close

	mu     sync.Mutex
	queues map[string][]int // route key -> indexes of exchanges left
	served []int            // times each exchange was served
	errs   []string         // what the driver did wrong, reported at the end
}

// newGoldenServer starts the listeners of sc, serving its files in order.
// Both listeners and every WebSocket handler are closed with the test.
func newGoldenServer(t *testing.T, sc goldenScenario, order goldenOrder) *goldenServer {
	t.Helper()
	s := &goldenServer{t: t, sc: sc, order: order, queues: map[string][]int{}, served: make([]int, len(sc.exchanges))}
	for i, ex := range sc.exchanges {
		_, err := os.Stat(filepath.Join("testdata", "golden", ex.file))
		require.NoError(t, err, "golden file of exchange %d", i)
		k := goldenRoute(ex.plane, ex.method, ex.path, ex.part)
		s.queues[k] = append(s.queues[k], i)
	}
	s.cp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handle(planeControl, w, r) }))
	s.dp = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.handle(planeData, w, r) }))
	t.Cleanup(func() {
		s.cp.Close()
		s.dp.Close()
		s.ws.Wait()
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range s.errs {
			t.Error(e)
		}
	})
	return s
}

func goldenRoute(p goldenPlane, method, path string, part int) string {
	return fmt.Sprintf("%d %s %s %d", p, method, path, part)
}

// DSN returns the DSN of the control plane, with the test time zone and
// fast polling.
func (s *goldenServer) DSN() string {
	u, _ := url.Parse(s.cp.URL)
	u.User = url.UserPassword("", goldenAPIToken)
	u.Path = "/v2"
	u.RawQuery = url.Values{"timezone": {goldenZone}, "minPollInterval": {"1ms"}, "maxPollInterval": {"2ms"}, "retryTimeout": {"0s"}}.Encode()
	return u.String()
}

// openGoldenDB opens a database/sql handle on the scenario's server.
func openGoldenDB(t *testing.T, s *goldenServer) *sql.DB {
	t.Helper()
	db, err := sql.Open("deltastream", s.DSN())
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func (s *goldenServer) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

// next takes the exchange answering a request, or -1.
func (s *goldenServer) next(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[k]
	if len(q) == 0 {
		return -1
	}
	i := q[0]
	if len(q) > 1 {
		s.queues[k] = q[1:]
	}
	s.served[i]++
	return i
}

// assertAllServed checks that the driver asked for every scripted answer.
func (s *goldenServer) assertAllServed(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, n := range s.served {
		assert.Positive(t, n, "exchange %d (%s) was never requested", i, s.sc.exchanges[i].file)
	}
}

func (s *goldenServer) handle(p goldenPlane, w http.ResponseWriter, r *http.Request) {
	plane := [...]string{"control plane", "dataplane"}[p]
	path, ok := strings.CutPrefix(r.URL.Path, "/v2")
	if !ok {
		s.fail("%s: request outside the base path /v2: %s %s", plane, r.Method, r.URL.Path)
		http.Error(w, `{"message":"not found"}`, http.StatusNotFound)
		return
	}
	method := r.Method
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		method = methodWS
	}
	s.checkAuth(p, plane, method, r)
	part := 0
	if v := r.URL.Query().Get("partitionID"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail("%s: bad partitionID %q", plane, v)
		}
		part = n
	}
	if method == http.MethodGet {
		if tz := r.URL.Query().Get("timezone"); tz != goldenZone {
			s.fail("%s: GET %s carries timezone %q, want %q as on submit", plane, path, tz, goldenZone)
		}
	}
	if method == http.MethodPost && path == "/statements" {
		s.checkStatement(r)
	}
	i := s.next(goldenRoute(p, method, path, part))
	if i < 0 {
		s.fail("%s: unexpected request %s %s (partition %d)", plane, method, path, part)
		http.Error(w, `{"message":"no golden answer for this request"}`, http.StatusNotFound)
		return
	}
	ex := s.sc.exchanges[i]
	if method == methodWS {
		s.serveFrames(w, r, ex)
		return
	}
	body := s.load(ex.file)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(ex.status)
	_, _ = w.Write(body)
}

// checkAuth checks the bearer token: the API token on the control plane,
// the dataplane token (and never the API token) on the dataplane. A
// WebSocket authenticates in its first frame instead.
func (s *goldenServer) checkAuth(p goldenPlane, plane, method string, r *http.Request) {
	got := r.Header.Get("Authorization")
	if strings.Contains(got, goldenAPIToken) && p == planeData {
		s.fail("dataplane: the API token reached another origin")
	}
	if method == methodWS {
		return
	}
	want := "Bearer " + goldenAPIToken
	if p == planeData {
		want = "Bearer " + s.sc.dpToken
	}
	if got != want {
		s.fail("%s: %s %s: Authorization %q, want %q", plane, method, r.URL.Path, got, want)
	}
}

// checkStatement checks the statement of a submission (multipart part
// "request", or a JSON body).
func (s *goldenServer) checkStatement(r *http.Request) {
	var raw string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			s.fail("submit: bad multipart body: %v", err)
			return
		}
		raw = r.FormValue("request")
	} else {
		b, _ := io.ReadAll(r.Body)
		raw = string(b)
	}
	var req struct {
		Statement  string `json:"statement"`
		Parameters struct {
			Timezone string `json:"timezone"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		s.fail("submit: request part is not JSON: %v", err)
		return
	}
	if req.Statement != s.sc.statement {
		s.fail("submit: statement %q, want %q", req.Statement, s.sc.statement)
	}
	if req.Parameters.Timezone != goldenZone {
		s.fail("submit: timezone %q, want %q", req.Parameters.Timezone, goldenZone)
	}
}

// load reads a golden file, fills in the dataplane address and applies
// the key order (to every line of a .jsonl file).
func (s *goldenServer) load(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		s.fail("golden file: %v", err)
		return nil
	}
	host := strings.TrimPrefix(s.dp.URL, "http://")
	b = bytes.ReplaceAll(b, []byte(goldenDataplaneWS), []byte("ws://"+host))
	b = bytes.ReplaceAll(b, []byte(goldenDataplaneHTTP), []byte("http://"+host))
	if s.order == orderAlphabetical {
		return b
	}
	var out []byte
	for _, line := range goldenLines(name, b) {
		r, err := legacyOrder(line)
		if err != nil {
			s.fail("reordering %s: %v", name, err)
			return b
		}
		out = append(append(out, r...), '\n')
	}
	if !strings.HasSuffix(name, ".jsonl") {
		out = bytes.TrimSuffix(out, []byte("\n"))
	}
	return out
}

// goldenLines splits a .jsonl file into its lines; any other file is one
// JSON document.
func goldenLines(name string, b []byte) [][]byte {
	if !strings.HasSuffix(name, ".jsonl") {
		return [][]byte{b}
	}
	var lines [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			lines = append(lines, l)
		}
	}
	return lines
}

// serveFrames runs a dataplane WebSocket: it reads the client's auth frame,
// checks the token, sends the frames of ex.file one per message and closes
// normally, as the service ends a stream.
func (s *goldenServer) serveFrames(w http.ResponseWriter, r *http.Request, ex goldenExchange) {
	s.ws.Add(1)
	defer s.ws.Done()
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.fail("dataplane: WebSocket accept: %v", err)
		return
	}
	defer c.CloseNow()
	ctx := r.Context()
	_, auth, err := c.Read(ctx)
	if err != nil {
		s.fail("dataplane: reading the auth frame: %v", err)
		return
	}
	var af struct {
		Type        string `json:"type"`
		AccessToken string `json:"accessToken"`
	}
	if err := json.Unmarshal(auth, &af); err != nil || af.Type != "auth" || af.AccessToken != s.sc.dpToken {
		s.fail("dataplane: auth frame %s (err %v), want type auth with the dataplane token", auth, err)
		return
	}
	for _, f := range goldenLines(ex.file, s.load(ex.file)) {
		if err := c.Write(ctx, websocket.MessageText, f); err != nil {
			return // the client went away: it may stop reading early
		}
	}
	_ = c.Close(websocket.StatusNormalClosure, "")
}

// legacyOrder rewrites the top-level object of a JSON document with its
// header keys first and "data" last; nested values are kept verbatim.
func legacyOrder(doc []byte) ([]byte, error) {
	members, err := jsonMembers(doc)
	if err != nil {
		return nil, err
	}
	rank := func(k string) int {
		for i, h := range []string{"type", "sqlState", "message", "statementID", "statementIDs", "createdOn", "metadata"} {
			if k == h {
				return i
			}
		}
		if k == "data" {
			return 100
		}
		return 50
	}
	var out bytes.Buffer
	out.WriteByte('{')
	n := 0
	for r := 0; r <= 100; r++ {
		for _, m := range members {
			if rank(m.key) != r {
				continue
			}
			if n > 0 {
				out.WriteByte(',')
			}
			n++
			k, _ := json.Marshal(m.key)
			out.Write(k)
			out.WriteByte(':')
			out.Write(m.value)
		}
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// jsonMember is one member of a JSON object, its value verbatim.
type jsonMember struct {
	key   string
	value json.RawMessage
}

// jsonMembers returns the members of the JSON object doc in their order.
func jsonMembers(doc []byte) ([]jsonMember, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object (%v)", err)
	}
	var ms []jsonMember
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		ms = append(ms, jsonMember{key: tok.(string), value: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON object")
	}
	return ms, nil
}

// checkAlphabetical reports the first object in v, a JSON value, whose
// keys are not in strictly increasing byte order.
func checkAlphabetical(v json.RawMessage, at string) error {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return fmt.Errorf("%s: empty value", at)
	}
	switch v[0] {
	case '{':
		ms, err := jsonMembers(v)
		if err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		for i, m := range ms {
			if i > 0 && ms[i-1].key >= m.key {
				return fmt.Errorf("%s: key %q follows %q", at, m.key, ms[i-1].key)
			}
			if err := checkAlphabetical(m.value, at+"."+m.key); err != nil {
				return err
			}
		}
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(v, &elems); err != nil {
			return fmt.Errorf("%s: %w", at, err)
		}
		for i, e := range elems {
			if err := checkAlphabetical(e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// goldenColumn is what ColumnTypes must say about a column.
type goldenColumn struct {
	name     string
	dbType   string // DatabaseTypeName
	nullable bool
	scan     reflect.Type
}

// goldenCheckColumns compares rows.ColumnTypes with want.
func goldenCheckColumns(t *testing.T, rows *sql.Rows, want []goldenColumn) {
	t.Helper()
	cts, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.Len(t, cts, len(want))
	for i, w := range want {
		ct := cts[i]
		assert.Equal(t, w.name, ct.Name(), "column %d", i)
		assert.Equal(t, w.dbType, ct.DatabaseTypeName(), "column %d %s", i, w.name)
		n, ok := ct.Nullable()
		assert.True(t, ok, "column %d %s", i, w.name)
		assert.Equal(t, w.nullable, n, "column %d %s: nullable", i, w.name)
		assert.Equal(t, w.scan, ct.ScanType(), "column %d %s: scan type", i, w.name)
	}
}

// goldenReadAll scans every row into *any and compares it with want
// (NaN equals NaN; times must be the same instant in the same zone).
func goldenReadAll(t *testing.T, rows *sql.Rows, want [][]any) {
	t.Helper()
	cols, err := rows.Columns()
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		require.Less(t, n, len(want), "more rows than expected")
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		require.Len(t, want[n], len(cols))
		for i, w := range want[n] {
			if w == nil {
				assert.Nil(t, vals[i], "row %d column %s", n, cols[i])
				continue
			}
			resAssertValue(t, w, vals[i], fmt.Sprintf("row %d column %s", n, cols[i]))
		}
		n++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, len(want), n, "row count")
}

// goldenQuery runs scenario sc in order and checks its columns and rows.
func goldenQuery(t *testing.T, sc goldenScenario, order goldenOrder, cols []goldenColumn, want [][]any) *goldenServer {
	t.Helper()
	srv := newGoldenServer(t, sc, order)
	db := openGoldenDB(t, srv)
	rows, err := db.QueryContext(context.Background(), sc.statement)
	require.NoError(t, err)
	defer rows.Close()
	goldenCheckColumns(t, rows, cols)
	goldenReadAll(t, rows, want)
	require.NoError(t, rows.Close())
	srv.assertAllServed(t)
	return srv
}
