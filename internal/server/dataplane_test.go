package server

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/wire"
)

func TestDataplaneResultSet(t *testing.T) {
	clock := newFakeClock()
	cols := []wire.Column{{Name: "v", Type: "VARCHAR"}}
	parts := SplitRows(rowsOf([]string{"a"}, []string{"b"}, []string{"c"}), 2)
	h := newHarness(t, Config{Clock: clock, DataplaneTokenTTL: time.Minute,
		Engine: answerAll(Outcome{Columns: cols, Partitions: parts, Dataplane: true, Context: &wire.Context{RoleName: "r"}})})

	r := h.submitSQL("SELECT * FROM mv;")
	require.Equal(t, http.StatusOK, r.status)
	rs := r.resultSet(t)
	require.NotNil(t, rs.Metadata)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	assert.Equal(t, wire.RequestResultSet, dp.RequestType)
	assert.Equal(t, rs.StatementID, dp.StatementID)
	assert.NotEmpty(t, dp.QueryID)
	assert.Equal(t, h.dp.URL+"/v2/statements/"+rs.StatementID, dp.URI, "another origin, base path /v2")
	assert.Nil(t, rs.Metadata.PartitionInfo)
	assert.Empty(t, rs.Data)
	assert.Contains(t, string(r.body), `"data":[]`, "as the service sends it")

	u, err := url.Parse(dp.URI)
	require.NoError(t, err)
	get := h.dpGet
	tests := []struct {
		name  string
		path  string
		token string
		want  int
		rows  [][]string
	}{
		{"partition 0", u.Path, dp.Token, http.StatusOK, [][]string{{"a"}, {"b"}}},
		{"partition 1", u.Path + "?partitionID=1", dp.Token, http.StatusOK, [][]string{{"c"}}},
		{"out of range", u.Path + "?partitionID=2", dp.Token, http.StatusBadRequest, nil},
		{"api token refused", u.Path, testToken, http.StatusForbidden, nil},
		{"no token", u.Path, "", http.StatusUnauthorized, nil},
		{"other statement", "/v2/statements/other", dp.Token, http.StatusForbidden, nil},
		{"dataplane version", "/v2/version", dp.Token, http.StatusOK, nil},
		{"unknown dataplane route", "/v2/nope", dp.Token, http.StatusNotFound, nil},
		{"outside the base", "/dp/v2/statements/" + rs.StatementID, dp.Token, http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := get(tt.path, tt.token)
			require.Equal(t, tt.want, g.status, "body: %s", g.body)
			if tt.rows == nil {
				return
			}
			grs := g.resultSet(t)
			assert.Equal(t, tt.rows, cells(grs.Data))
			assert.Equal(t, []wire.PartitionInfo{{RowCount: 2}, {RowCount: 1}}, grs.Metadata.PartitionInfo)
			assert.Nil(t, grs.Metadata.DataplaneRequest)
			assert.Equal(t, "r", grs.Metadata.Context.RoleName)
		})
	}

	// The control plane keeps answering with the dataplane request.
	cp := h.get("/v2/statements/" + rs.StatementID).resultSet(t)
	assert.Equal(t, dp.Token, cp.Metadata.DataplaneRequest.Token)

	// The token expires.
	clock.Advance(2 * time.Minute)
	assert.Equal(t, http.StatusForbidden, get(u.Path, dp.Token).status)
	// A control-plane answer refreshes it.
	h.get("/v2/statements/" + rs.StatementID)
	assert.Equal(t, http.StatusOK, get(u.Path, dp.Token).status)
	// A control-plane statement is not on the dataplane.
	assert.Equal(t, http.StatusForbidden, get("/v2/statements/x", "dpt_unknown").status)
	// The dataplane token is no API token.
	assert.Equal(t, http.StatusForbidden, h.do(http.MethodGet, h.ts.URL+u.Path, dp.Token, "", nil).status)
}

func TestDataplaneURL(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		dataURI  string
		printURI string
	}{
		{"http", "http://dp.example:81/data", "http://dp.example:81/data/statements/", "ws://dp.example:81/data/print/"},
		{"https", "https://dataplane.example/v2", "https://dataplane.example/v2/statements/", "wss://dataplane.example/v2/print/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{DataplaneURL: tt.url, Engine: engineFunc(func(sub *Submission) []*Outcome {
				if strings.Contains(sub.Statements[0], "PRINT") {
					return []*Outcome{{Stream: newChanStream()}}
				}
				return []*Outcome{{Dataplane: true}}
			})})
			assert.Equal(t, tt.url, h.srv.DataplaneURL())
			rs := h.submitSQL("SELECT 1;").resultSet(t)
			assert.Equal(t, tt.dataURI+rs.StatementID, rs.Metadata.DataplaneRequest.URI)
			rs = h.submitSQL("PRINT ENTITY e;").resultSet(t)
			assert.Equal(t, tt.printURI+rs.StatementID, rs.Metadata.DataplaneRequest.URI)
		})
	}
}
