package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

const testToken = "secret-token"

// engineFunc adapts a function to Engine.
type engineFunc func(sub *Submission) []*Outcome

func (f engineFunc) Execute(_ context.Context, sub *Submission) []*Outcome { return f(sub) }

// answerAll answers every statement with o.
func answerAll(o Outcome) Engine {
	return engineFunc(func(sub *Submission) []*Outcome {
		outs := make([]*Outcome, len(sub.Statements))
		for i := range outs {
			c := o
			outs[i] = &c
		}
		return outs
	})
}

// fakeClock is a manually advanced Clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1700000000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// harness runs a Server behind two httptest.Servers: ts for the control
// plane, dp for the dataplane.
type harness struct {
	t   testing.TB
	srv *Server
	ts  *httptest.Server
	dp  *httptest.Server
}

// newHarness starts a server for cfg; an empty cfg.DataplaneURL is set to
// the dataplane listener's address with path "/v2".
func newHarness(t testing.TB, cfg Config) *harness {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	ts, dp := httptest.NewUnstartedServer(nil), httptest.NewUnstartedServer(nil)
	if cfg.DataplaneURL == "" {
		cfg.DataplaneURL = "http://" + dp.Listener.Addr().String() + "/v2"
	}
	srv, err := New(cfg)
	if err != nil {
		ts.Close()
		dp.Close()
	}
	require.NoError(t, err)
	ts.Config.Handler, dp.Config.Handler = srv.ControlPlane(), srv.Dataplane()
	ts.Start()
	dp.Start()
	h := &harness{t: t, srv: srv, ts: ts, dp: dp}
	t.Cleanup(h.close)
	return h
}

func (h *harness) close() {
	for _, ts := range []*httptest.Server{h.ts, h.dp} {
		_ = ts.Listener.Close()
		ts.CloseClientConnections()
	}
	h.srv.Close()
	h.ts.Close()
	h.dp.Close()
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) resultSet(t testing.TB) wire.ResultSet {
	t.Helper()
	var rs wire.ResultSet
	require.NoError(t, json.Unmarshal(r.body, &rs), "body: %s", r.body)
	return rs
}

func (r response) errorBody(t testing.TB) wire.ErrorResponse {
	t.Helper()
	var e wire.ErrorResponse
	require.NoError(t, json.Unmarshal(r.body, &e), "body: %s", r.body)
	return e
}

// do sends a request with a bearer token (none if token is "").
func (h *harness) do(method, url, token, contentType string, body []byte) response {
	h.t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	require.NoError(h.t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := h.ts.Client().Do(req)
	require.NoError(h.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(h.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// get GETs a path of the test server with the API token.
func (h *harness) get(path string) response {
	h.t.Helper()
	return h.do(http.MethodGet, h.ts.URL+path, testToken, "", nil)
}

// dpGet GETs a path of the dataplane with token.
func (h *harness) dpGet(path, token string) response {
	h.t.Helper()
	return h.do(http.MethodGet, h.dp.URL+path, token, "", nil)
}

// submit POSTs req as multipart with attachments (name → data).
func (h *harness) submit(req wire.StatementRequest, atts ...Attachment) response {
	h.t.Helper()
	body, ct := multipartBody(h.t, req, atts...)
	return h.do(http.MethodPost, h.ts.URL+"/v2/statements", testToken, ct, body)
}

// submitSQL POSTs one statement text.
func (h *harness) submitSQL(sql string) response {
	h.t.Helper()
	return h.submit(wire.StatementRequest{Statement: sql})
}

func multipartBody(t testing.TB, req wire.StatementRequest, atts ...Attachment) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	hdr := make(textproto.MIMEHeader)
	hdr.Set("Content-Disposition", `form-data; name="request"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := mw.CreatePart(hdr)
	require.NoError(t, err)
	require.NoError(t, json.NewEncoder(pw).Encode(req))
	for _, a := range atts {
		fw, err := mw.CreateFormFile("attachments", a.Name)
		require.NoError(t, err)
		_, err = fw.Write(a.Data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return buf.Bytes(), mw.FormDataContentType()
}

// rowsOf builds rows of string cells.
func rowsOf(cells ...[]string) [][]*string {
	out := make([][]*string, len(cells))
	for i, r := range cells {
		out[i] = make([]*string, len(r))
		for j := range r {
			out[i][j] = &r[j]
		}
	}
	return out
}

// cells flattens decoded rows for comparisons (nil → "<null>").
func cells(rows [][]*string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			if c == nil {
				out[i][j] = "<null>"
			} else {
				out[i][j] = *c
			}
		}
	}
	return out
}

// testOrders returns the key orders that tests going through the client's
// decoder run in: the service's and the legacy one.
func testOrders(t testing.TB) []KeyOrder {
	t.Helper()
	return []KeyOrder{ServiceOrder, LegacyOrder}
}

func wireReq(sql string) wire.StatementRequest { return wire.StatementRequest{Statement: sql} }

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
