package deltastream_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/dstest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// Regression tests of the decode path (issues 9 and 10): answers in any key
// order, rows set aside or fetched again, limits, duplicate keys, unknown
// dataplane request types, answers that are not JSON.

// openOrderDB opens a *sql.DB on s.
func openOrderDB(t testing.TB, s *orderServer, params ...string) *sql.DB {
	t.Helper()
	db, err := sql.Open("deltastream", s.dsn(params...))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// queryTags reads a result of scriptParts as "tag/i".
func queryTags(ctx context.Context, db *sql.DB) ([]string, []*sql.ColumnType, error) {
	rows, err := db.QueryContext(ctx, "SELECT * FROM t;")
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	out := []string{}
	for rows.Next() {
		var tag string
		var i int64
		if err := rows.Scan(&tag, &i); err != nil {
			return out, types, err
		}
		out = append(out, tag+"/"+strconv.FormatInt(i, 10))
	}
	return out, types, rows.Err()
}

// wantTags is what queryTags reads from n rows of scriptParts.
func wantTags(n int) []string {
	out := []string{}
	for i := range n {
		out = append(out, fmt.Sprintf("r%d/%d", i, i))
	}
	return out
}

func TestKeyOrderResults(t *testing.T) {
	tests := []struct {
		name    string
		sizes   []int
		running bool // the submission answers 202 first
	}{
		{name: "one partition", sizes: []int{3}},
		{name: "partitions", sizes: []int{2, 3, 0, 1}},
		{name: "empty first partition", sizes: []int{0, 2}},
		{name: "no rows", sizes: []int{0}},
		{name: "202 then 200", sizes: []int{2, 2}, running: true},
	}
	for _, order := range keyOrders {
		for _, prefetch := range []string{"prefetch=0", "prefetch=3"} {
			for _, tt := range tests {
				t.Run(order.String()+"/"+prefetch+"/"+tt.name, func(t *testing.T) {
					ignore := goleak.IgnoreCurrent()
					s := newOrderServer(t)
					scriptParts(s, order, tt.sizes...)
					if tt.running {
						s.runFirst(submitID)
					}
					db := openOrderDB(t, s, prefetch, "minPollInterval=1ms")
					got, types, err := queryTags(context.Background(), db)
					require.NoError(t, err)
					n := 0
					for _, size := range tt.sizes {
						n += size
					}
					assert.Equal(t, wantTags(n), got)
					require.Len(t, types, 2)
					assert.Equal(t, "tag", types[0].Name())
					assert.Equal(t, "BIGINT", types[1].DatabaseTypeName())
					assert.Zero(t, s.getCount(submitID, 0), "partition 0 fits the buffer: it is not fetched again")
					for p := 1; p < len(tt.sizes); p++ {
						assert.Equal(t, 1, s.getCount(submitID, p), "partition %d", p)
					}
					require.NoError(t, db.Close())
					s.ts.Close()
					goleak.VerifyNone(t, ignore)
				})
			}
		}
	}
}

func TestKeyOrderLargeFirstPartitionIsFetchedAgain(t *testing.T) {
	defer deltastream.SetFirstAnswerBuffer(64)()
	for _, order := range keyOrders {
		for _, prefetch := range []string{"prefetch=0", "prefetch=2"} {
			t.Run(order.String()+"/"+prefetch, func(t *testing.T) {
				s := newOrderServer(t)
				scriptParts(s, order, 20, 5, 5)
				db := openOrderDB(t, s, prefetch)
				got, _, err := queryTags(context.Background(), db)
				require.NoError(t, err)
				assert.Equal(t, wantTags(30), got)
				want := 0
				if order == keyOrderAlpha {
					want = 1 // rows before columns, too large to set aside
				}
				assert.Equal(t, want, s.getCount(submitID, 0), "GETs of partition 0")
			})
		}
	}
}

func TestKeyOrderExec(t *testing.T) {
	// Exec reads no rows, but it needs the sqlState that follows them.
	defer deltastream.SetFirstAnswerBuffer(64)()
	for _, order := range keyOrders {
		for _, rows := range []int{1, 100} {
			t.Run(fmt.Sprintf("%s/%d rows", order, rows), func(t *testing.T) {
				s := newOrderServer(t)
				scriptParts(s, order, rows)
				db := openOrderDB(t, s)
				_, err := db.ExecContext(context.Background(), "CREATE STREAM x AS SELECT 1;")
				require.NoError(t, err)
				assert.Zero(t, s.getCount(submitID, 0))
			})
		}
	}
}

func TestKeyOrderSQLErrors(t *testing.T) {
	for _, order := range keyOrders {
		t.Run(order.String()+"/submission", func(t *testing.T) {
			s := newOrderServer(t)
			s.set(submitID, 0, (&orderAnswer{SQLState: "42601", Message: "syntax error at 'SELEC'", StatementID: submitID,
				Metadata: &wire.Metadata{Context: &wire.Context{}}, Data: [][]*string{}}).encode(order))
			db := openOrderDB(t, s)
			_, _, err := queryTags(context.Background(), db)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "42601", de.State)
			assert.Equal(t, submitID, de.StatementID)
			assert.Contains(t, de.Message, "SELEC")
		})
		t.Run(order.String()+"/later partition after its rows", func(t *testing.T) {
			s := newOrderServer(t)
			scriptParts(s, order, 1, 1)
			s.set(submitID, 1, (&orderAnswer{SQLState: "XX000", Message: "internal", StatementID: submitID,
				Data: orderRows(1, 2)}).encode(order))
			db := openOrderDB(t, s, "prefetch=0")
			got, _, err := queryTags(context.Background(), db)
			var de *deltastream.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "XX000", de.State)
			if order == keyOrderLegacy {
				assert.Equal(t, wantTags(1), got, "the state came first: no row of partition 1")
			} else {
				assert.Equal(t, wantTags(2), got, "the state came after the rows it concerns")
			}
		})
	}
}

// rawServer answers every request with status, content type and body.
func rawServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) string {
	ts := httptest.NewServer(http.HandlerFunc(handle))
	t.Cleanup(ts.Close)
	return strings.Replace(ts.URL, "http://", "http://:order-test-token-0123456789@", 1) + "/v2"
}

func TestMalformedAnswers(t *testing.T) {
	meta := `"metadata":{"columns":[{"name":"tag","nullable":true,"type":"VARCHAR"}],"encoding":"json","partitionInfo":[{"rowCount":1}]}`
	big := strings.Repeat(" ", 2<<20)
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		want   []string
		is     error
	}{
		{name: "duplicate sqlState after the rows", body: `{"sqlState":"00000","statementID":"s",` + meta + `,"data":[["a"]],"sqlState":"42601"}`,
			want: []string{`"sqlState" appears twice`, "malformed"}, is: wire.ErrDuplicateKey},
		{name: "duplicate sqlState, alphabetical", body: `{"data":[["a"]],` + meta + `,"sqlState":"42601","sqlState":"00000","statementID":"s"}`,
			want: []string{`"sqlState" appears twice`}, is: wire.ErrDuplicateKey},
		{name: "duplicate data", body: `{"data":[],"data":[["a"]],` + meta + `,"sqlState":"00000","statementID":"s"}`,
			want: []string{`"data" appears twice`}, is: wire.ErrDuplicateKey},
		{name: "duplicate metadata in another case", body: `{"sqlState":"00000",` + meta + `,"Metadata":{},"data":[]}`,
			want: []string{`"metadata" appears twice`}, is: wire.ErrDuplicateKey},
		{name: "HTML page", status: 200, ctype: "text/html; charset=utf-8", body: "<html><body>\x1b[31mBad gateway</body></html>",
			want: []string{"not JSON", `"text/html; charset=utf-8"`, `starts with "<html><body>\x1b[31mBad`}},
		{name: "plain text", status: 200, ctype: "text/plain", body: "upstream connect error",
			want: []string{"not JSON", `"upstream connect error"`}},
		{name: "202 over its cap", status: 202, body: `{"sqlState":"03000","statementID":"s","x":"` + big + `"}`,
			want: []string{"HTTP 202", "longer than the driver's limit of 1048576 bytes"}},
		{name: "too many partitions", body: `{"data":[],"metadata":{"columns":[],"partitionInfo":[` + strings.Repeat(`{},`, wire.MaxPartitions) + `{}]},"sqlState":"00000","statementID":"s"}`,
			want: []string{"more than 100000 partitions"}, is: wire.ErrLimit},
		{name: "too many statement ids", body: `{"sqlState":"00000","statementID":"s","statementIDs":[` + strings.Repeat(`"s",`, wire.MaxStatementIDs) + `"s"]}`,
			want: []string{"more than 10000 statement ids"}, is: wire.ErrLimit},
		{name: "too many columns", body: `{"data":[],"metadata":{"columns":[` + strings.Repeat(`{},`, wire.MaxColumns) + `{}]},"sqlState":"00000","statementID":"s"}`,
			want: []string{"more than 10000 columns"}, is: wire.ErrLimit},
		{name: "unknown requestType", body: `{"data":[],"metadata":{"dataplaneRequest":{"requestType":"foo","statementID":"s","token":"t","uri":"https://dp.example.com/v2/statements/s"}},"sqlState":"00000","statementID":"s"}`,
			want: []string{`requestType "foo" is unknown`}},
		{name: "empty requestType beside a token", body: `{"data":[],"metadata":{"dataplaneRequest":{"requestType":"","statementID":"s","token":"t","uri":"https://dp.example.com/v2/statements/s"}},"sqlState":"00000","statementID":"s"}`,
			want: []string{`requestType "" is unknown`}},
		{name: "rows without columns", body: `{"data":[["a"]],"sqlState":"00000","statementID":"s"}`,
			want: []string{"rows but no column metadata"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gets := 0
			dsn := rawServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					gets++
				}
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(max(tt.status, 200))
				_, _ = w.Write([]byte(tt.body))
			})
			db, err := sql.Open("deltastream", dsn+"?retryTimeout=0&minPollInterval=1ms")
			require.NoError(t, err)
			defer db.Close()
			rows, err := db.QueryContext(context.Background(), "SELECT 1;")
			if err == nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.NotContains(t, err.Error(), "\x1b", "control characters are escaped")
			assert.LessOrEqual(t, gets, 1, "no GET loop")
			t.Log(err)
		})
	}
}

func TestRequestTypeIsCaseInsensitive(t *testing.T) {
	for _, typ := range []string{"result-set", "RESULT-SET", "Result-Set"} {
		t.Run(typ, func(t *testing.T) {
			s := newOrderServer(t)
			dpID := "dp-" + submitID
			s.set(submitID, 0, (&orderAnswer{SQLState: wire.StateSuccess, StatementID: submitID, Data: [][]*string{},
				Metadata: &wire.Metadata{DataplaneRequest: &wire.DataplaneRequest{RequestType: typ, StatementID: dpID,
					Token: "dp-token-0123456789", URI: s.ts.URL + "/dp/v2/statements/" + dpID}}}).encode(keyOrderAlpha))
			yes := true
			md := &wire.Metadata{Encoding: "json", PartitionInfo: []wire.PartitionInfo{{RowCount: 2}, {RowCount: 1}},
				Columns: []wire.Column{{Name: "tag", Type: "VARCHAR", Nullable: &yes}, {Name: "i", Type: "BIGINT", Nullable: &yes}}}
			s.set(dpID, 0, (&orderAnswer{SQLState: wire.StateSuccess, StatementID: dpID, Metadata: md, Data: orderRows(0, 2)}).encode(keyOrderAlpha))
			s.set(dpID, 1, (&orderAnswer{SQLState: wire.StateSuccess, StatementID: dpID, Metadata: md, Data: orderRows(2, 3)}).encode(keyOrderAlpha))
			db := openOrderDB(t, s)
			got, _, err := queryTags(context.Background(), db)
			require.NoError(t, err)
			assert.Equal(t, wantTags(3), got)
			assert.Equal(t, 1, s.getCount(dpID, 1))
		})
	}
}

func TestStatementErrorsKeepTheirKind(t *testing.T) {
	// A limit error is a malformed answer that names the statement.
	s := newOrderServer(t)
	scriptParts(s, keyOrderAlpha, 1, 1)
	s.set(submitID, 1, []byte(`{"data":[],"metadata":{},"sqlState":"00000","sqlState":"00000","statementID":"s"}`))
	db := openOrderDB(t, s, "prefetch=0")
	_, _, err := queryTags(context.Background(), db)
	require.Error(t, err)
	assert.True(t, errors.Is(err, wire.ErrDuplicateKey))
	assert.Contains(t, err.Error(), "partition 1")
	assert.Equal(t, submitID, deltastream.StatementIDOf(err))
}

func TestStreamFramesFollowTheAnswerRules(t *testing.T) {
	tests := []struct {
		name, frame, want string
	}{
		{"too many columns", `{"columns":[` + strings.Repeat(`{"name":"c","type":"INTEGER"},`, wire.MaxColumns) + `{}],"headers":{},"type":"metadata"}`,
			"more than 10000 columns"},
		{"duplicate type", `{"columns":[],"type":"metadata","Type":"error"}`, `"type" appears twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dp := newFakeDataplane(t, 0, func(ctx context.Context, c *websocket.Conn) {
				if c.Write(ctx, websocket.MessageText, []byte(tt.frame)) == nil {
					_, _, _ = c.Read(ctx) // until the client goes
				}
			})
			srv := dstest.NewServer(t)
			dp.serve(srv, "PRINT ENTITY x;")
			db := openDB(t, srv)
			rows, err := db.QueryContext(context.Background(), "PRINT ENTITY x;")
			if err == nil {
				rows.Close()
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), "malformed frame")
		})
	}
}

func TestMissingNullAndEmptyFields(t *testing.T) {
	// What WIRE.md says each absence means, in the service's order.
	cols := `"columns":[{"name":"tag","nullable":true,"type":"VARCHAR"}]`
	tests := []struct {
		name string
		body string
		cols int
		rows []string
	}{
		{"partitionInfo null: the rows here are all", `{"createdOn":1,"data":[["a"],["b"]],"metadata":{` + cols + `,"encoding":"","partitionInfo":null},"sqlState":"00000","statementID":"s"}`, 1, []string{"a", "b"}},
		{"partitionInfo absent", `{"data":[["a"]],"metadata":{` + cols + `},"sqlState":"00000","statementID":"s"}`, 1, []string{"a"}},
		{"partitionInfo empty: no rows", `{"data":[],"metadata":{` + cols + `,"partitionInfo":[]},"sqlState":"00000","statementID":"s"}`, 1, nil},
		{"columns null, no rows", `{"createdOn":1,"data":[],"metadata":{"columns":null,"context":{},"dataplaneRequest":null,"encoding":"json","partitionInfo":null},"sqlState":"00000","statementID":"s"}`, 0, nil},
		{"metadata absent, data absent", `{"sqlState":"00000","statementID":"s"}`, 0, nil},
		{"metadata null, data empty", `{"data":[],"metadata":null,"sqlState":"00000","statementID":"s"}`, 0, nil},
		{"data null", `{"data":null,"metadata":{` + cols + `},"sqlState":"00000","statementID":"s"}`, 1, nil},
		{"empty dataplaneRequest object", `{"data":[["a"]],"metadata":{` + cols + `,"dataplaneRequest":{}},"sqlState":"00000","statementID":"s"}`, 1, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := rawServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(tt.body)) })
			db, err := sql.Open("deltastream", dsn)
			require.NoError(t, err)
			defer db.Close()
			rows, err := db.QueryContext(context.Background(), "SELECT 1;")
			require.NoError(t, err)
			defer rows.Close()
			names, err := rows.Columns()
			require.NoError(t, err)
			assert.Len(t, names, tt.cols)
			var got []string
			for rows.Next() {
				var s string
				require.NoError(t, rows.Scan(&s))
				got = append(got, s)
			}
			require.NoError(t, rows.Err())
			assert.Equal(t, tt.rows, got)
		})
	}
}
