package server

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

func TestNewConfig(t *testing.T) {
	ok := answerAll(Outcome{})
	const dp = "http://127.0.0.1:1/v2"
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Engine: ok, DataplaneURL: dp}, ""},
		{"same bases", Config{Engine: ok, Base: "/x", DataplaneURL: "https://dp.example/x"}, ""},
		{"legacy order", Config{Engine: ok, DataplaneURL: dp, KeyOrder: LegacyOrder}, ""},
		{"no engine", Config{DataplaneURL: dp}, "Engine is required"},
		{"base without slash", Config{Engine: ok, DataplaneURL: dp, Base: "v2"}, "must start with '/'"},
		{"base with trailing slash", Config{Engine: ok, DataplaneURL: dp, Base: "/v2/"}, "must not end"},
		{"no dataplane", Config{Engine: ok}, "DataplaneURL is required"},
		{"dataplane without path", Config{Engine: ok, DataplaneURL: "http://127.0.0.1:1"}, "must start with '/'"},
		{"dataplane with trailing slash", Config{Engine: ok, DataplaneURL: dp + "/"}, "must not end"},
		{"dataplane ws scheme", Config{Engine: ok, DataplaneURL: "ws://127.0.0.1:1/v2"}, "http or https URL"},
		{"dataplane without host", Config{Engine: ok, DataplaneURL: "/v2"}, "http or https URL"},
		{"dataplane with query", Config{Engine: ok, DataplaneURL: dp + "?a=b"}, "http or https URL"},
		{"unknown order", Config{Engine: ok, DataplaneURL: dp, KeyOrder: 7}, "KeyOrder(7)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			s.Close()
		})
	}
}

func TestAuthorization(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	tests := []struct {
		name   string
		header string
		want   int
	}{
		{"good token", "Bearer " + testToken, http.StatusOK},
		{"lower-case scheme", "bearer " + testToken, http.StatusOK},
		{"wrong token", "Bearer nope", http.StatusForbidden},
		{"missing", "", http.StatusUnauthorized},
		{"basic", "Basic abc", http.StatusUnauthorized},
		{"empty bearer", "Bearer ", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, h.ts.URL+"/v2/version", nil)
			require.NoError(t, err)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, err := h.ts.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tt.want, resp.StatusCode)
			if tt.want != http.StatusOK {
				assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			}
		})
	}

	t.Run("rotation", func(t *testing.T) {
		h.srv.SetToken("new")
		defer h.srv.SetToken(testToken)
		assert.Equal(t, http.StatusForbidden, h.get("/v2/version").status)
		assert.Equal(t, http.StatusOK, h.do(http.MethodGet, h.ts.URL+"/v2/version", "new", "", nil).status)
	})
	t.Run("any token when empty", func(t *testing.T) {
		h.srv.SetToken("")
		defer h.srv.SetToken(testToken)
		assert.Equal(t, http.StatusOK, h.do(http.MethodGet, h.ts.URL+"/v2/version", "whatever", "", nil).status)
	})
}

func TestRoutes(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	tests := []struct {
		name   string
		method string
		path   string
		want   int
	}{
		{"version", http.MethodGet, "/v2/version", http.StatusOK},
		{"unknown route", http.MethodGet, "/v2/nope", http.StatusNotFound},
		{"outside bases", http.MethodGet, "/v3/version", http.StatusNotFound},
		{"base prefix only", http.MethodGet, "/v2x/version", http.StatusNotFound},
		{"post version", http.MethodPost, "/v2/version", http.StatusMethodNotAllowed},
		{"get statements", http.MethodGet, "/v2/statements", http.StatusMethodNotAllowed},
		{"unknown statement", http.MethodGet, "/v2/statements/0000", http.StatusNotFound},
		{"delete statement", http.MethodDelete, "/v2/statements/0000", http.StatusMethodNotAllowed},
		{"dataplane with the API token", http.MethodGet, "dp:/v2/version", http.StatusForbidden},
		{"dataplane without token", http.MethodGet, "dp:/v2/version", http.StatusUnauthorized},
		{"dataplane submit", http.MethodPost, "dp:/v2/statements", http.StatusNotFound},
		{"dataplane download", http.MethodGet, "dp:/v2/download/function_source/o/n", http.StatusNotFound},
		{"print on the control plane", http.MethodGet, "/v2/print/0000", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, token := h.ts.URL+tt.path, testToken
			if p, ok := strings.CutPrefix(tt.path, "dp:"); ok {
				url = h.dp.URL + p
				if tt.want == http.StatusUnauthorized {
					token = ""
				}
			}
			r := h.do(tt.method, url, token, "", nil)
			assert.Equal(t, tt.want, r.status, "body: %s", r.body)
			if tt.want != http.StatusOK {
				assert.NotEmpty(t, r.errorBody(t).Message)
				assert.NotEmpty(t, r.errorBody(t).TraceID)
			}
		})
	}
	r := h.get("/v2/version")
	assert.JSONEq(t, `{"major":1,"minor":0,"patch":0}`, string(r.body))
}

func TestSubmitBodies(t *testing.T) {
	var got *Submission
	h := newHarness(t, Config{Engine: engineFunc(func(sub *Submission) []*Outcome {
		got = sub
		return []*Outcome{{}}
	}), MaxRequestBytes: 1 << 10})
	mp, mpType := multipartBody(t, wire.StatementRequest{Statement: "SELECT 1;", Database: "db"},
		Attachment{Name: "udf.jar", Data: []byte("JAR")}, Attachment{Name: "k.pem", Data: []byte("PEM")})
	noReq, noReqType := func() ([]byte, string) {
		b, ct := multipartBody(t, wire.StatementRequest{Statement: "x"})
		return b[:0], ct
	}()
	tests := []struct {
		name        string
		contentType string
		body        []byte
		want        int
		wantMsg     string
		check       func(t *testing.T)
	}{
		{"multipart", mpType, mp, http.StatusOK, "", func(t *testing.T) {
			assert.Equal(t, "SELECT 1;", got.Request.Statement)
			assert.Equal(t, "db", got.Request.Database)
			assert.Equal(t, []string{"SELECT 1;"}, got.Statements)
			assert.Equal(t, []Attachment{{"udf.jar", []byte("JAR")}, {"k.pem", []byte("PEM")}}, got.Attachments)
		}},
		{"json", "application/json", []byte(`{"statement":"SELECT 2; "}`), http.StatusOK, "", func(t *testing.T) {
			assert.Equal(t, []string{"SELECT 2; "}, got.Statements)
		}},
		{"json without content type", "", []byte(`{"statement":"SELECT 3;"}`), http.StatusOK, "", nil},
		{"no statement", "application/json", []byte(`{"database":"x"}`), http.StatusBadRequest, "no statement", nil},
		{"bad json", "application/json", []byte(`{`), http.StatusBadRequest, "bad statement request JSON", nil},
		{"text", "text/plain", []byte(`SELECT 1;`), http.StatusBadRequest, "unsupported Content-Type", nil},
		{"bad content type", "multipart/form-data; boundary", nil, http.StatusBadRequest, "bad Content-Type", nil},
		{"no boundary", "multipart/form-data", nil, http.StatusBadRequest, "without a boundary", nil},
		{"no request part", noReqType, noReq, http.StatusBadRequest, "multipart", nil},
		{"too big", "application/json", make([]byte, 2<<10), http.StatusRequestEntityTooLarge, "exceeds", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got = nil
			r := h.do(http.MethodPost, h.ts.URL+"/v2/statements", testToken, tt.contentType, tt.body)
			require.Equal(t, tt.want, r.status, "body: %s", r.body)
			if tt.wantMsg != "" {
				assert.Contains(t, r.errorBody(t).Message, tt.wantMsg)
			}
			if tt.check != nil {
				tt.check(t)
			}
		})
	}
}

func TestResultSetAndPartitions(t *testing.T) {
	cols := []wire.Column{{Name: "id", Type: "BIGINT"}, {Name: "name", Type: "VARCHAR"}}
	parts := []Partition{
		NewPartition(rowsOf([]string{"1", "a"}, []string{"2", "b"})),
		{},
		NewPartition(rowsOf([]string{"3", "c"})),
	}
	ctx := &wire.Context{DatabaseName: "db"}
	h := newHarness(t, Config{Engine: answerAll(Outcome{Columns: cols, Partitions: parts, Context: ctx})})

	r := h.submitSQL("SELECT * FROM t;")
	require.Equal(t, http.StatusOK, r.status)
	rs := r.resultSet(t)
	assert.Equal(t, wire.StateSuccess, rs.SQLState)
	assert.NotEmpty(t, rs.StatementID)
	assert.Empty(t, rs.StatementIDs)
	assert.NotZero(t, rs.CreatedOn)
	require.NotNil(t, rs.Metadata)
	assert.Equal(t, "json", rs.Metadata.Encoding)
	assert.Equal(t, []wire.PartitionInfo{{RowCount: 2}, {RowCount: 0}, {RowCount: 1}}, rs.Metadata.PartitionInfo)
	assert.Equal(t, cols, rs.Metadata.Columns)
	assert.Equal(t, ctx, rs.Metadata.Context)
	assert.Equal(t, [][]string{{"1", "a"}, {"2", "b"}}, cells(rs.Data))
	assert.Equal(t, r.header.Get("Content-Length"), strconv.Itoa(len(r.body)))

	tests := []struct {
		query string
		want  int
		rows  [][]string
	}{
		{"", http.StatusOK, [][]string{{"1", "a"}, {"2", "b"}}},
		{"?partitionID=0&sessionID=s&timezone=UTC", http.StatusOK, [][]string{{"1", "a"}, {"2", "b"}}},
		{"?partitionID=1", http.StatusOK, [][]string{}},
		{"?partitionID=2", http.StatusOK, [][]string{{"3", "c"}}},
		{"?partitionID=3", http.StatusBadRequest, nil},
		{"?partitionID=-1", http.StatusBadRequest, nil},
		{"?partitionID=x", http.StatusBadRequest, nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			g := h.get("/v2/statements/" + rs.StatementID + tt.query)
			require.Equal(t, tt.want, g.status, "body: %s", g.body)
			if tt.want != http.StatusOK {
				return
			}
			grs := g.resultSet(t)
			assert.Equal(t, rs.StatementID, grs.StatementID)
			assert.Equal(t, rs.Metadata, grs.Metadata)
			assert.Equal(t, tt.rows, cells(grs.Data))
			assert.Contains(t, string(g.body), `"data":[`)
		})
	}
}

func TestEmptyResult(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	r := h.submitSQL("CREATE STREAM s;")
	require.Equal(t, http.StatusOK, r.status)
	rs := r.resultSet(t)
	assert.Equal(t, []wire.PartitionInfo{}, rs.Metadata.PartitionInfo)
	assert.Equal(t, []wire.Column{}, rs.Metadata.Columns)
	assert.Equal(t, &wire.Context{}, rs.Metadata.Context)
	assert.Contains(t, string(r.body), `"context":{}`, "always present, as in every answer of the service")
	assert.Contains(t, string(r.body), `"partitionInfo":[]`)
	assert.Contains(t, string(r.body), `"data":[]`)
	assert.Equal(t, http.StatusOK, h.get("/v2/statements/"+rs.StatementID+"?partitionID=0").status)
	assert.Equal(t, http.StatusBadRequest, h.get("/v2/statements/"+rs.StatementID+"?partitionID=1").status)
}

func TestSQLError(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{SQLState: "42P04", Message: "exists", Columns: []wire.Column{{Name: "x"}}})})
	r := h.submitSQL("CREATE DATABASE d;")
	require.Equal(t, http.StatusOK, r.status)
	rs := r.resultSet(t)
	assert.Equal(t, "42P04", rs.SQLState)
	assert.Equal(t, "exists", rs.Message)
	require.NotNil(t, rs.Metadata, "the spec requires metadata in a ResultSet")
	assert.Equal(t, wire.Metadata{Context: &wire.Context{}}, *rs.Metadata, "no columns, no partitions")
	assert.Contains(t, string(r.body), `"columns":null`)
	assert.NotContains(t, string(r.body), `"data"`)
	g := h.get("/v2/statements/" + rs.StatementID)
	assert.Equal(t, rs, g.resultSet(t))
}

func TestRunTimeAndGate(t *testing.T) {
	clock := newFakeClock()
	gate := make(chan struct{})
	h := newHarness(t, Config{Clock: clock, Engine: answerAll(Outcome{RunTime: 3 * time.Second, Gate: gate,
		Partitions: []Partition{NewPartition(rowsOf([]string{"x"}))}})})

	r := h.submitSQL("SELECT 1;")
	require.Equal(t, http.StatusAccepted, r.status)
	rs := r.resultSet(t)
	assert.Equal(t, wire.StateRunning, rs.SQLState)
	assert.Equal(t, clock.Now().Unix(), rs.CreatedOn)
	assert.Nil(t, rs.Metadata)
	poll := func() int { return h.get("/v2/statements/" + rs.StatementID).status }

	assert.Equal(t, http.StatusAccepted, poll())
	clock.Advance(3 * time.Second)
	assert.Equal(t, http.StatusAccepted, poll(), "gate still closed")
	close(gate)
	g := h.get("/v2/statements/" + rs.StatementID)
	require.Equal(t, http.StatusOK, g.status)
	assert.Equal(t, rs.CreatedOn, g.resultSet(t).CreatedOn)
	assert.Equal(t, [][]string{{"x"}}, cells(g.resultSet(t).Data))
}

func TestBatch(t *testing.T) {
	var got []string
	h := newHarness(t, Config{Engine: engineFunc(func(sub *Submission) []*Outcome {
		got = sub.Statements
		outs := make([]*Outcome, len(sub.Statements))
		for i, s := range sub.Statements {
			outs[i] = &Outcome{Partitions: []Partition{NewPartition(rowsOf([]string{s}))}}
		}
		outs[1].SQLState, outs[1].Message = "42601", "syntax"
		return outs
	})})
	r := h.submitSQL("SELECT 1;\n-- two\nSELECT ';';  SELECT 3")
	require.Equal(t, http.StatusOK, r.status)
	assert.Equal(t, []string{"SELECT 1;", "SELECT ';';", "SELECT 3"}, got)
	rs := r.resultSet(t)
	require.Len(t, rs.StatementIDs, 3)
	assert.Equal(t, rs.StatementIDs[0], rs.StatementID)
	assert.Equal(t, [][]string{{"SELECT 1;"}}, cells(rs.Data))

	second := h.get("/v2/statements/" + rs.StatementIDs[1]).resultSet(t)
	assert.Equal(t, "42601", second.SQLState)
	assert.Empty(t, second.StatementIDs)
	third := h.get("/v2/statements/" + rs.StatementIDs[2]).resultSet(t)
	assert.Equal(t, [][]string{{"SELECT 3"}}, cells(third.Data))
}

func TestEngineOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		outs     []*Outcome
		want     int
		wantBody string
	}{
		{"none", nil, http.StatusInternalServerError, ""},
		{"nil", []*Outcome{nil}, http.StatusInternalServerError, ""},
		{"http error", []*Outcome{{HTTPStatus: 429, HTTPBody: "slow down"}}, 429, "slow down"},
		{"http error later in batch", []*Outcome{{}, {HTTPStatus: 400, HTTPBody: `{"message":"bad"}`}}, 400, `{"message":"bad"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Engine: engineFunc(func(*Submission) []*Outcome { return tt.outs })})
			r := h.submitSQL("SELECT 1;")
			assert.Equal(t, tt.want, r.status)
			if tt.wantBody != "" {
				assert.Equal(t, tt.wantBody, string(r.body))
			}
		})
	}
}

func TestFailGETs(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{FailGETs: 2, FailStatus: http.StatusBadGateway})})
	rs := h.submitSQL("SELECT 1;").resultSet(t)
	path := "/v2/statements/" + rs.StatementID
	assert.Equal(t, http.StatusBadGateway, h.get(path).status)
	assert.Equal(t, http.StatusBadGateway, h.get(path).status)
	assert.Equal(t, http.StatusOK, h.get(path).status)
}

type downloads map[string][]byte

func (d downloads) Download(kind, org, name string) ([]byte, bool) {
	b, ok := d[kind+"/"+org+"/"+name]
	return b, ok
}

func TestDownload(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{}), Downloads: downloads{"function_source/org/udf.jar": []byte("JAR")}})
	tests := []struct {
		path string
		want int
		body string
	}{
		{"/v2/download/function_source/org/udf.jar", http.StatusOK, "JAR"},
		{"/v2/download/descriptor_source/org/udf.jar", http.StatusNotFound, ""},
		{"/v2/download/other/org/udf.jar", http.StatusBadRequest, ""},
		{"/v2/download/function_source/org", http.StatusNotFound, ""},
		{"/v2/download/function_source/org/a/b", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r := h.get(tt.path)
			assert.Equal(t, tt.want, r.status)
			if tt.body != "" {
				assert.Equal(t, tt.body, string(r.body))
				assert.Equal(t, "application/octet-stream", r.header.Get("Content-Type"))
			}
		})
	}
	h2 := newHarness(t, Config{Engine: answerAll(Outcome{})})
	assert.Equal(t, http.StatusNotFound, h2.get("/v2/download/function_source/org/udf.jar").status)
}

func TestRecording(t *testing.T) {
	h := newHarness(t, Config{Engine: answerAll(Outcome{})})
	h.submit(wire.StatementRequest{Statement: "SELECT 1;", Parameters: &wire.Parameters{SessionID: "s"}}, Attachment{Name: "a.txt", Data: []byte("A")})
	h.get("/v2/version?x=1")
	reqs := h.srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v2/statements", reqs[0].Path)
	require.NotNil(t, reqs[0].Statement)
	assert.Equal(t, "s", reqs[0].Statement.Parameters.SessionID)
	assert.Equal(t, []Attachment{{"a.txt", []byte("A")}}, reqs[0].Attachments)
	assert.Equal(t, "Bearer "+testToken, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "1", reqs[1].Query.Get("x"))
	assert.Nil(t, reqs[1].Statement)
	h.srv.ResetRequests()
	assert.Empty(t, h.srv.Requests())
}

func TestClosedServerRefuses(t *testing.T) {
	s, err := New(Config{Engine: answerAll(Outcome{}), DataplaneURL: "http://127.0.0.1:1/v2"})
	require.NoError(t, err)
	s.Close()
	s.Close() // idempotent
	for _, h := range []http.Handler{s.ControlPlane(), s.Dataplane()} {
		rec := newBufferedResponse()
		req, err := http.NewRequest(http.MethodGet, "/v2/version", nil)
		require.NoError(t, err)
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusServiceUnavailable, rec.status)
	}
}
