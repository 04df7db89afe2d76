package dstest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/jsontest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// topKeys returns the keys of the top-level JSON object b, in order.
func topKeys(t testing.TB, b []byte) []string {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	tok, err := d.Token()
	require.NoError(t, err)
	require.Equal(t, json.Delim('{'), tok, "body: %s", b)
	var keys []string
	for d.More() {
		k, err := d.Token()
		require.NoError(t, err)
		keys = append(keys, k.(string))
		var skip json.RawMessage
		require.NoError(t, d.Decode(&skip))
	}
	return keys
}

func TestKeyOrder(t *testing.T) {
	tests := []struct {
		order dstest.KeyOrder
		opts  []dstest.Option
		rows  []string // top-level keys of a result with rows
		fail  []string // of a SQL error
		run   []string // of a 202
	}{
		{dstest.ServiceOrder, nil,
			[]string{"createdOn", "data", "metadata", "sqlState", "statementID"},
			[]string{"createdOn", "message", "metadata", "sqlState", "statementID"},
			[]string{"createdOn", "sqlState", "statementID"}},
		{dstest.LegacyOrder, []dstest.Option{dstest.WithKeyOrder(dstest.LegacyOrder)},
			[]string{"sqlState", "statementID", "createdOn", "metadata", "data"},
			[]string{"sqlState", "message", "statementID", "createdOn", "metadata"},
			[]string{"sqlState", "statementID", "createdOn"}},
	}
	for _, tt := range tests {
		t.Run(tt.order.String(), func(t *testing.T) {
			srv := dstest.NewServer(t, tt.opts...)
			assert.Equal(t, tt.order, srv.KeyOrder())
			srv.On("SELECT 1;").Columns(dstest.Col("n", "INTEGER")).Rows([]any{1})
			srv.On("BAD;").Error("42601", "syntax error")
			gate := srv.On("SLOW;").Hold()
			c := newClient(t, srv)

			assert.Equal(t, tt.rows, topKeys(t, c.sql("SELECT 1;").body))
			assert.Equal(t, tt.fail, topKeys(t, c.sql("BAD;").body))
			slow := c.sql("SLOW;")
			assert.Equal(t, tt.run, topKeys(t, slow.body))
			gate.Release()
			done := c.get("/statements/" + slow.rs(t).StatementID)
			assert.Equal(t, tt.rows, topKeys(t, done.body), "a poll's answer")
			for _, a := range []answer{c.sql("SELECT 1;"), c.sql("BAD;"), done} { // a 202 has no metadata
				rs := a.rs(t)
				require.NotNil(t, rs.Metadata, "body: %s", a.body)
				require.NotNil(t, rs.Metadata.Context, "metadata.context is always there")
			}
		})
	}
	assert.Equal(t, "ServiceOrder", dstest.ServiceOrder.String())
	assert.Equal(t, "LegacyOrder", dstest.LegacyOrder.String())
}

func TestUnknownKeyOrder(t *testing.T) {
	_, err := dstest.New(dstest.WithKeyOrder(9))
	require.ErrorContains(t, err, "KeyOrder(9)")
}

func TestDataplaneOrigin(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM mv;").Columns(dstest.Col("n", "INTEGER")).Rows([]any{1}, []any{2}).PartitionSize(1).Dataplane()
	srv.On("PRINT ENTITY e;").Columns(dstest.Col("v", "VARCHAR")).Stream().Close()
	cp, err := url.Parse(srv.URL())
	require.NoError(t, err)
	dpURL, err := url.Parse(srv.DataplaneURL())
	require.NoError(t, err)
	assert.NotEqual(t, cp.Host, dpURL.Host, "the dataplane is another origin")
	assert.Equal(t, "/v2", dpURL.Path)

	c := newClient(t, srv)
	a := c.sql("SELECT * FROM mv;")
	rs := a.rs(t)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	assert.Equal(t, srv.DataplaneURL()+"/statements/"+rs.StatementID, dp.URI)
	assert.Equal(t, wire.RequestResultSet, dp.RequestType)
	assert.Contains(t, string(a.body), `"data":[]`)

	page := &client{t: t, srv: srv, token: dp.Token}
	p1 := page.get(dp.URI + "?partitionID=1")
	require.Equal(t, http.StatusOK, p1.status, "body: %s", p1.body)
	assert.Equal(t, [][]string{{"2"}}, rows(p1.rs(t).Data))
	assert.Equal(t, http.StatusForbidden, c.get(srv.DataplaneURL()+"/statements/"+rs.StatementID).status, "the API token is no dataplane token")

	st := c.sql("PRINT ENTITY e;").rs(t)
	assert.Equal(t, "ws"+strings.TrimPrefix(srv.DataplaneURL(), "http")+"/print/"+st.StatementID, st.Metadata.DataplaneRequest.URI)
	assert.Nil(t, st.Metadata.Columns, "a streaming statement's columns come with the WebSocket metadata frame")

	var planes []bool
	for _, r := range srv.Requests() {
		planes = append(planes, r.Dataplane)
	}
	assert.Equal(t, []bool{false, true, true, false}, planes)
	assert.Equal(t, rs.StatementID, srv.Requests()[1].StatementID)
}

func TestCommandResult(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("CREATE SCHEMA newschema;").CommandResult("schema", "demodb.newschema", "CREATE", `schema "demodb.newschema" was successfully created`)
	srv.On("CREATE STREAM pageviews AS SELECT 1;").CommandResult("query", "5f2c", "CREATE", "started", "db", "public", "pageviews")
	srv.On("ANON;").CommandResult("x", "", "DO", "done")
	c := newClient(t, srv)
	no := false
	wantCols := []wire.Column{
		{Name: "Type", Type: "VARCHAR", Nullable: &no}, {Name: "Name", Type: "VARCHAR", Nullable: &no},
		{Name: "Command", Type: "VARCHAR", Nullable: &no}, {Name: "Summary", Type: "VARCHAR", Nullable: &no},
		{Name: "Path", Type: "VARCHAR", Nullable: &no},
	}
	tests := []struct {
		sql  string
		want []string
	}{
		{"CREATE SCHEMA newschema;", []string{"schema", "demodb.newschema", "CREATE", `schema "demodb.newschema" was successfully created`, `["demodb","newschema"]`}},
		{"CREATE STREAM pageviews AS SELECT 1;", []string{"query", "5f2c", "CREATE", "started", `["db","public","pageviews"]`}},
		{"ANON;", []string{"x", "", "DO", "done", `[]`}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			rs := c.sql(tt.sql).rs(t)
			assert.Equal(t, wantCols, rs.Metadata.Columns)
			assert.Equal(t, [][]string{tt.want}, rows(rs.Data))
		})
	}
	assert.Equal(t, `["a","b \"q\""]`, dstest.PathJSON("ignored", "a", `b "q"`))
	assert.Equal(t, `["db","public","t"]`, dstest.PathJSON("db.public.t"))
}

func TestRequestTypes(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;")
	c := newClient(t, srv)
	c.submit(wire.StatementRequest{Statement: "SELECT 1;", Organization: "o", Role: "r", Database: "d", Schema: "s",
		Store: "st", ComputePool: "p", Parameters: &wire.Parameters{Timezone: "UTC", SessionID: "sess"}})
	c.sql("SELECT 1;")
	subs := srv.Submissions()
	require.Len(t, subs, 2)
	assert.Equal(t, &dstest.StatementRequest{Statement: "SELECT 1;", Organization: "o", Role: "r", Database: "d", Schema: "s",
		Store: "st", ComputePool: "p", Parameters: &dstest.Parameters{Timezone: "UTC", SessionID: "sess"}}, subs[0].Statement)
	assert.Equal(t, &dstest.StatementRequest{Statement: "SELECT 1;"}, subs[1].Statement)
	assert.NotEmpty(t, subs[0].StatementID)
	assert.NotEqual(t, subs[0].StatementID, subs[1].StatementID)
	assert.False(t, subs[0].Dataplane)
}

// Every object of every answer is in the service's order by default.
func TestServiceOrderEverywhere(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Columns(dstest.Col("n", "INTEGER"), dstest.Column{Name: "h", Type: "VARCHAR", DisplayHint: "url"}).
		Rows([]any{1, "x"}).Context(dstest.Context{DatabaseName: "db", RoleName: "r", ComputePoolName: "p"})
	srv.On("MV;").Rows([]any{1}).Dataplane()
	c := newClient(t, srv)
	bodies := [][]byte{c.sql("SELECT 1;").body, c.sql("SELECT 1; MV;").body, c.get("/statements/nope").body}
	mv := c.sql("MV;").rs(t)
	bodies = append(bodies, (&client{t: t, srv: srv, token: mv.Metadata.DataplaneRequest.Token}).get(mv.Metadata.DataplaneRequest.URI).body)
	for _, b := range bodies {
		assert.NoError(t, jsontest.CheckServiceOrder(b))
	}
}
