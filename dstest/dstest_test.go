package dstest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

func TestServerBasics(t *testing.T) {
	srv := dstest.NewServer(t)
	assert.True(t, strings.HasPrefix(srv.Token(), "dstest-"))
	assert.NotEqual(t, srv.Token(), dstest.NewServer(t).Token(), "tokens are random")
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	assert.True(t, strings.HasSuffix(srv.URL(), "/v2"))

	u, err := url.Parse(srv.DSN())
	require.NoError(t, err)
	pw, _ := u.User.Password()
	assert.Equal(t, "", u.User.Username())
	assert.Equal(t, srv.Token(), pw)
	assert.Equal(t, "http://:"+srv.Token()+"@"+u.Host+"/v2", srv.DSN())

	c := newClient(t, srv)
	v := c.get("/version")
	assert.Equal(t, http.StatusOK, v.status)
	assert.JSONEq(t, `{"major":1,"minor":0,"patch":0}`, string(v.body))

	srv.Close()
	srv.Close() // idempotent; also run by Cleanup
}

func TestTokens(t *testing.T) {
	srv := dstest.NewServer(t, dstest.WithToken("tok/en"))
	assert.Equal(t, "tok/en", srv.Token())
	assert.Contains(t, srv.DSN(), "tok%2Fen@")
	tests := []struct {
		name  string
		token string
		want  int
	}{
		{"right", "tok/en", http.StatusOK},
		{"wrong", "other", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &client{t: t, srv: srv, token: tt.token}
			assert.Equal(t, tt.want, c.get("/version").status)
		})
	}
	srv.SetToken("rotated")
	assert.Equal(t, http.StatusForbidden, (&client{t: t, srv: srv, token: "tok/en"}).get("/version").status)
	assert.Equal(t, http.StatusOK, (&client{t: t, srv: srv, token: "rotated"}).get("/version").status)
	assert.Contains(t, srv.DSN(), ":rotated@")
}

func TestMatching(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Columns(dstest.Col("n", "INTEGER")).Rows([]any{1})
	srv.On("SELECT 1;").Columns(dstest.Col("never", "INTEGER"))
	srv.On("SELECT 2;").Times(1).Error("57014", "timeout")
	srv.On("SELECT 2;").Rows([]any{"two"})
	srv.OnMatch(func(sql string) bool { return strings.HasPrefix(sql, "DROP") }).CommandResult("stream", "s", "DROP", "dropped")
	srv.OnMatch(nil) // matches nothing
	c := newClient(t, srv)

	tests := []struct {
		name    string
		sql     string
		state   string
		message string
		rows    [][]string
	}{
		{"first script wins", "SELECT 1;", "00000", "", [][]string{{"1"}}},
		{"exact text only", "SELECT 1; ", "XX000", "dstest: no scripted answer for statement: SELECT 1; ", nil},
		{"times: first answer", "SELECT 2;", "57014", "timeout", nil},
		{"times: then the next script", "SELECT 2;", "00000", "", [][]string{{"two"}}},
		{"still the next script", "SELECT 2;", "00000", "", [][]string{{"two"}}},
		{"predicate", "DROP STREAM s;", "00000", "", [][]string{{"stream", "s", "DROP", "dropped", `["s"]`}}},
		{"unmatched", "SELECT 3;", "XX000", "dstest: no scripted answer for statement: SELECT 3;", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.sql(tt.sql)
			require.Equal(t, http.StatusOK, a.status)
			rs := a.rs(t)
			assert.Equal(t, tt.state, rs.SQLState)
			assert.Equal(t, tt.message, rs.Message)
			if tt.rows != nil {
				assert.Equal(t, tt.rows, rows(rs.Data))
			}
		})
	}
	assert.Equal(t, 2, srv.Submitted("SELECT 1;")+srv.Submitted("SELECT 1; "))
	assert.Equal(t, 3, srv.Submitted("SELECT 2;"))
}

type stringer struct{}

func (*stringer) String() string { return "str" }

func TestCellConversion(t *testing.T) {
	s := "p"
	var nilStr *string
	var nilInt *int
	n := 7
	var nilStringer *stringer
	tests := []struct {
		name string
		cell any
		want *string
	}{
		{"nil", nil, nil},
		{"string", "a b", ptr("a b")},
		{"string pointer", &s, ptr("p")},
		{"nil string pointer", nilStr, nil},
		{"int", 42, ptr("42")},
		{"int pointer", &n, ptr("7")},
		{"nil int pointer", nilInt, nil},
		{"bool", true, ptr("true")},
		{"float", 3.5, ptr("3.5")},
		{"bytes", []byte("binary"), ptr("YmluYXJ5")},
		{"nil bytes", []byte(nil), nil},
		{"time", time.Date(2007, 4, 30, 13, 10, 2, 47438100, time.UTC), ptr("2007-04-30 13:10:02.0474381")},
		{"stringer", &stringer{}, ptr("str")},
		{"nil stringer", nilStringer, nil},
	}
	srv := dstest.NewServer(t)
	c := newClient(t, srv)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql := fmt.Sprintf("SELECT %d;", i)
			srv.On(sql).Columns(dstest.Col("c", "VARCHAR")).Rows([]any{tt.cell})
			rs := c.sql(sql).rs(t)
			require.Len(t, rs.Data, 1)
			assert.Equal(t, tt.want, rs.Data[0][0])
		})
	}
	s = "changed" // rows are converted when scripted
	assert.Equal(t, "p", *c.sql("SELECT 2;").rs(t).Data[0][0])
}

func ptr(s string) *string { return &s }

func TestColumns(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT;").Columns(dstest.Col("a", "VARCHAR"), dstest.NotNullCol("b", "BIGINT"),
		dstest.Column{Name: "c", Type: "DOUBLE", Nullable: true, DisplayHint: "hint"})
	rs := newClient(t, srv).sql("SELECT;").rs(t)
	yes, no := true, false
	assert.Equal(t, []wire.Column{
		{Name: "a", Type: "VARCHAR", Nullable: &yes},
		{Name: "b", Type: "BIGINT", Nullable: &no},
		{Name: "c", Type: "DOUBLE", Nullable: &yes, DisplayHint: "hint"},
	}, rs.Metadata.Columns)
}

func TestPartitions(t *testing.T) {
	srv := dstest.NewServer(t)
	var seven [][]any
	for i := range 7 {
		seven = append(seven, []any{i})
	}
	tests := []struct {
		name  string
		setup func(st *dstest.Statement)
		want  []int64
	}{
		{"default one partition", func(st *dstest.Statement) {}, []int64{7}},
		{"size 3", func(st *dstest.Statement) { st.PartitionSize(3) }, []int64{3, 3, 1}},
		{"explicit with empty", func(st *dstest.Statement) { st.Partitions(0, 2, 0, 5) }, []int64{0, 2, 0, 5}},
		{"explicit leftover", func(st *dstest.Statement) { st.Partitions(2) }, []int64{2, 5}},
		{"explicit too many", func(st *dstest.Statement) { st.Partitions(5, 5, -1) }, []int64{5, 2, 0}},
		{"size then explicit", func(st *dstest.Statement) { st.PartitionSize(1).Partitions(4) }, []int64{4, 3}},
	}
	c := newClient(t, srv)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql := fmt.Sprintf("SELECT %d;", i)
			st := srv.On(sql).Columns(dstest.Col("n", "INTEGER")).Rows(seven...)
			tt.setup(st)
			rs := c.sql(sql).rs(t)
			var counts []int64
			for _, p := range rs.Metadata.PartitionInfo {
				counts = append(counts, p.RowCount)
			}
			require.Equal(t, tt.want, counts)
			var all [][]string
			for p := range counts {
				data := c.get(fmt.Sprintf("/statements/%s?partitionID=%d", rs.StatementID, p)).rs(t).Data
				require.Len(t, data, int(counts[p]))
				all = append(all, rows(data)...)
			}
			require.Len(t, all, 7)
			assert.Equal(t, []string{"0"}, all[0])
			assert.Equal(t, []string{"6"}, all[6])
		})
	}
	t.Run("no rows", func(t *testing.T) {
		srv.On("EMPTY;")
		rs := c.sql("EMPTY;").rs(t)
		assert.Equal(t, []wire.PartitionInfo{}, rs.Metadata.PartitionInfo)
	})
	t.Run("rows added later", func(t *testing.T) {
		st := srv.On("GROW;").Rows([]any{1})
		assert.Len(t, c.sql("GROW;").rs(t).Data, 1)
		st.Rows([]any{2})
		assert.Len(t, c.sql("GROW;").rs(t).Data, 2)
	})
}

type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestRunTimeAndHold(t *testing.T) {
	clock := &manualClock{now: time.Unix(1700000000, 0)}
	srv := dstest.NewServer(t, dstest.WithClock(clock))
	srv.On("SLOW;").RunTime(5 * time.Second).Rows([]any{"done"})
	st := srv.On("HELD;").Rows([]any{"released"})
	gate := st.Hold()
	assert.Same(t, gate, st.Hold())
	c := newClient(t, srv)

	a := c.sql("SLOW;")
	require.Equal(t, http.StatusAccepted, a.status)
	id := a.rs(t).StatementID
	assert.Equal(t, int64(1700000000), a.rs(t).CreatedOn)
	assert.Equal(t, "03000", a.rs(t).SQLState)
	assert.Equal(t, http.StatusAccepted, c.get("/statements/"+id).status)
	clock.Advance(5 * time.Second)
	assert.Equal(t, [][]string{{"done"}}, rows(c.get("/statements/"+id).rs(t).Data))

	h1 := c.sql("HELD;").rs(t).StatementID
	h2 := c.sql("HELD;").rs(t).StatementID
	assert.Equal(t, http.StatusAccepted, c.get("/statements/"+h1).status)
	gate.Release()
	gate.Release() // idempotent
	assert.Equal(t, http.StatusOK, c.get("/statements/"+h1).status)
	assert.Equal(t, http.StatusOK, c.get("/statements/"+h2).status)
}

func TestErrors(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("BAD;").Error("42601", "syntax error")
	srv.On("DOWN;").HTTPError(http.StatusServiceUnavailable, `{"message":"maintenance","traceID":"t"}`)
	srv.On("HTML;").HTTPError(http.StatusBadGateway, "<html>bad gateway</html>")
	srv.On("FLAKY;").FailTimes(2, 0).Rows([]any{"ok"})
	c := newClient(t, srv)

	rs := c.sql("BAD;").rs(t)
	assert.Equal(t, "42601", rs.SQLState)
	assert.Equal(t, "syntax error", rs.Message)

	a := c.sql("DOWN;")
	assert.Equal(t, http.StatusServiceUnavailable, a.status)
	assert.Equal(t, `{"message":"maintenance","traceID":"t"}`, string(a.body))
	assert.Equal(t, "application/json", a.header.Get("Content-Type"))
	a = c.sql("HTML;")
	assert.Equal(t, http.StatusBadGateway, a.status)
	assert.Equal(t, "<html>bad gateway</html>", string(a.body))

	id := c.sql("FLAKY;").rs(t).StatementID
	assert.Equal(t, http.StatusServiceUnavailable, c.get("/statements/"+id).status)
	assert.Equal(t, http.StatusServiceUnavailable, c.get("/statements/"+id).status)
	assert.Equal(t, http.StatusOK, c.get("/statements/"+id).status)
	id2 := c.sql("FLAKY;").rs(t).StatementID
	assert.Equal(t, http.StatusServiceUnavailable, c.get("/statements/"+id2).status, "counted per submission")
}

func TestContext(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2"})
	srv.On("PLAIN;")
	srv.On("FAIL;").Error("3D002", "no such database")
	const orgUUID = "5fcd2b3c-8b34-4ac0-8f1b-3d6e2a1f0b7e"
	c := newClient(t, srv)
	full := wire.StatementRequest{Organization: "acme", Role: "sysadmin", Database: "db1", Schema: "public", Store: "kafka", ComputePool: "pool"}
	tests := []struct {
		name string
		req  wire.StatementRequest
		want *wire.Context
	}{
		{"nothing sent", wire.StatementRequest{Statement: "PLAIN;"}, &wire.Context{}},
		{"echo", withSQL(full, "PLAIN;"), &wire.Context{OrganizationID: dstest.OrganizationID("acme"), RoleName: "sysadmin",
			DatabaseName: "db1", SchemaName: "public", StoreName: "kafka", ComputePoolName: "pool"}},
		{"org uuid kept", wire.StatementRequest{Statement: "PLAIN;", Organization: strings.ToUpper(orgUUID)}, &wire.Context{OrganizationID: orgUUID}},
		{"script overrides", withSQL(full, "USE DATABASE db2;"), &wire.Context{OrganizationID: dstest.OrganizationID("acme"), RoleName: "sysadmin",
			DatabaseName: "db2", SchemaName: "public", StoreName: "kafka", ComputePoolName: "pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := c.submit(tt.req).rs(t)
			require.NotNil(t, rs.Metadata)
			assert.Equal(t, tt.want, rs.Metadata.Context)
		})
	}
	failed := c.submit(withSQL(full, "FAIL;")).rs(t)
	require.NotNil(t, failed.Metadata, "the spec requires metadata")
	assert.Equal(t, wire.Metadata{Context: &wire.Context{}}, *failed.Metadata, "errors carry no columns and change no context")
	assert.Equal(t, dstest.OrganizationID("acme"), dstest.OrganizationID("acme"))
	assert.NotEqual(t, dstest.OrganizationID("acme"), dstest.OrganizationID("other"))
	assert.Equal(t, "", dstest.OrganizationID(""))
}

func withSQL(r wire.StatementRequest, sql string) wire.StatementRequest {
	r.Statement = sql
	return r
}

func TestDataplane(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT * FROM mv;").Dataplane().Columns(dstest.Col("v", "VARCHAR")).Rows([]any{"a"}, []any{"b"}).PartitionSize(1)
	c := newClient(t, srv)
	rs := c.sql("SELECT * FROM mv;").rs(t)
	dp := rs.Metadata.DataplaneRequest
	require.NotNil(t, dp)
	assert.Equal(t, "result-set", dp.RequestType)
	assert.Empty(t, rs.Data)
	dpc := &client{t: t, srv: srv, token: dp.Token}
	assert.Equal(t, [][]string{{"b"}}, rows(dpc.get(dp.URI+"?partitionID=1").rs(t).Data))
	assert.Equal(t, http.StatusForbidden, c.get(dp.URI).status, "API token refused on the dataplane")
}

func TestBatchAndRecording(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("USE DATABASE d;").Context(dstest.Context{DatabaseName: "d"})
	srv.On("SELECT 'a;b';").Rows([]any{"a;b"})
	c := newClient(t, srv)
	rs := c.submit(wire.StatementRequest{Statement: "USE DATABASE d;\n  SELECT 'a;b';", Parameters: &wire.Parameters{Timezone: "UTC"}},
		dstest.Attachment{Name: "key.pem", Data: []byte("PEM")}).rs(t)
	require.Len(t, rs.StatementIDs, 2)
	assert.Equal(t, "d", rs.Metadata.Context.DatabaseName)
	second := c.get("/statements/" + rs.StatementIDs[1] + "?timezone=UTC").rs(t)
	assert.Equal(t, [][]string{{"a;b"}}, rows(second.Data))

	assert.Equal(t, 1, srv.Submitted("USE DATABASE d;"))
	assert.Equal(t, 1, srv.Submitted("SELECT 'a;b';"))
	assert.Equal(t, 1, srv.Submitted("USE DATABASE d;\n  SELECT 'a;b';"))
	assert.Equal(t, 0, srv.Submitted("SELECT 1;"))

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	subs := srv.Submissions()
	require.Len(t, subs, 1)
	assert.Equal(t, "UTC", subs[0].Statement.Parameters.Timezone)
	assert.Equal(t, []dstest.Attachment{{Name: "key.pem", Data: []byte("PEM")}}, subs[0].Attachments)
	assert.Equal(t, "Bearer "+srv.Token(), subs[0].Header.Get("Authorization"))
	assert.Equal(t, http.MethodGet, reqs[1].Method)
	assert.Equal(t, "UTC", reqs[1].Query.Get("timezone"))
	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
}

func TestFault(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.On("SELECT 1;").Rows([]any{1})
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if r.Statement != nil && n == 1 {
			return &dstest.Fault{Status: http.StatusTooManyRequests, Body: `{"message":"slow down"}`, Header: http.Header{"Retry-After": {"0"}}}
		}
		return nil
	})
	c := newClient(t, srv)
	a := c.sql("SELECT 1;")
	assert.Equal(t, http.StatusTooManyRequests, a.status)
	assert.Equal(t, "0", a.header.Get("Retry-After"))
	assert.Equal(t, http.StatusOK, c.sql("SELECT 1;").status)
	assert.Equal(t, 2, srv.Submitted("SELECT 1;"), "faulted requests are recorded too")
	srv.Fault(func(*dstest.Request, int) *dstest.Fault { return &dstest.Fault{Replace: "not json"} })
	assert.Equal(t, "not json", string(c.sql("SELECT 1;").body))
	srv.Fault(nil)
	assert.Equal(t, http.StatusOK, c.sql("SELECT 1;").status)
}

func TestDownloads(t *testing.T) {
	srv := dstest.NewServer(t)
	srv.AddDownload("function_source", "acme", "udf.jar", []byte("JAR"))
	const orgUUID = "5fcd2b3c-8b34-4ac0-8f1b-3d6e2a1f0b7e"
	srv.AddDownload("descriptor_source", orgUUID, "d.desc", []byte("DESC"))
	c := newClient(t, srv)
	tests := []struct {
		path string
		want int
		body string
	}{
		{"/download/function_source/acme/udf.jar", http.StatusOK, "JAR"},
		{"/download/function_source/" + dstest.OrganizationID("acme") + "/udf.jar", http.StatusOK, "JAR"},
		{"/download/descriptor_source/" + orgUUID + "/d.desc", http.StatusOK, "DESC"},
		{"/download/function_source/" + orgUUID + "/d.desc", http.StatusNotFound, ""},
		{"/download/function_source/acme/other.jar", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a := c.get(tt.path)
			assert.Equal(t, tt.want, a.status)
			if tt.body != "" {
				assert.Equal(t, tt.body, string(a.body))
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	srv := dstest.NewServer(t)
	st := srv.On("SELECT n;").Columns(dstest.Col("n", "INTEGER"))
	c := newClient(t, srv)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			st.Rows([]any{i}).PartitionSize(i % 3)
		}()
		go func() {
			defer wg.Done()
			rs := c.sql("SELECT n;").rs(t)
			assert.Equal(t, "00000", rs.SQLState)
			_ = srv.Requests()
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, srv.Submitted("SELECT n;"))
}
