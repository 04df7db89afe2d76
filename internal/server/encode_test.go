package server

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/internal/jsontest"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// requireSorted checks that every object in b has its keys in byte order.
func requireSorted(t testing.TB, b []byte) {
	t.Helper()
	require.NoError(t, jsontest.CheckServiceOrder(b))
}

func TestKeyOrderGolden(t *testing.T) {
	no := false
	twelve := int64(12)
	meta := &wire.Metadata{
		Encoding:      "json",
		PartitionInfo: []wire.PartitionInfo{{RowCount: 2}},
		Columns:       []wire.Column{{Name: "n", Type: "DECIMAL(4, 3)", Nullable: &no, DisplayHint: "h", Precision: &twelve}},
		Context:       &wire.Context{OrganizationID: "o", RoleName: "r", DatabaseName: "d", SchemaName: "s", StoreName: "st", ComputePoolName: "c"},
		DataplaneRequest: &wire.DataplaneRequest{
			Token: "t", URI: "u", StatementID: "id", QueryID: "q", RequestType: wire.RequestResultSet,
		},
	}
	rows := &resultHead{sqlState: "00000", statementID: "id", statementIDs: []string{"id", "id2"}, createdOn: 7, meta: meta, data: splitData}
	sqlErr := &resultHead{sqlState: "42601", message: "bad", statementID: "id", createdOn: 7, meta: &wire.Metadata{}}
	running := &resultHead{sqlState: "03000", statementID: "id", createdOn: 7}
	empty := &resultHead{sqlState: "00000", statementID: "id", createdOn: 7, meta: &wire.Metadata{Encoding: "json"}, data: emptyData}
	tests := []struct {
		name   string
		head   *resultHead
		order  KeyOrder
		want   string // the partition goes where <data> is
		sorted bool
	}{
		{"rows service", rows, ServiceOrder,
			`{"createdOn":7,"data":<data>,"metadata":{"columns":[{"display_hint":"h","name":"n","nullable":false,"precision":12,"type":"DECIMAL(4, 3)"}],` +
				`"context":{"computePoolName":"c","databaseName":"d","organizationID":"o","roleName":"r","schemaName":"s","storeName":"st"},` +
				`"dataplaneRequest":{"queryID":"q","requestType":"result-set","statementID":"id","token":"t","uri":"u"},"encoding":"json","partitionInfo":[{"rowCount":2}]},` +
				`"sqlState":"00000","statementID":"id","statementIDs":["id","id2"]}`, true},
		{"rows legacy", rows, LegacyOrder,
			`{"sqlState":"00000","statementID":"id","statementIDs":["id","id2"],"createdOn":7,"metadata":{"encoding":"json","partitionInfo":[{"rowCount":2}],` +
				`"columns":[{"name":"n","type":"DECIMAL(4, 3)","nullable":false,"display_hint":"h","precision":12}],` +
				`"context":{"organizationID":"o","roleName":"r","databaseName":"d","schemaName":"s","storeName":"st","computePoolName":"c"},` +
				`"dataplaneRequest":{"token":"t","uri":"u","statementID":"id","queryID":"q","requestType":"result-set"}},"data":<data>}`, false},
		{"sql error service", sqlErr, ServiceOrder,
			`{"createdOn":7,"message":"bad","metadata":{"columns":null,"context":{},"encoding":"","partitionInfo":null},"sqlState":"42601","statementID":"id"}`, true},
		{"sql error legacy", sqlErr, LegacyOrder,
			`{"sqlState":"42601","message":"bad","statementID":"id","createdOn":7,"metadata":{"encoding":"","partitionInfo":null,"columns":null,"context":{}}}`, false},
		{"running service", running, ServiceOrder, `{"createdOn":7,"sqlState":"03000","statementID":"id"}`, true},
		{"running legacy", running, LegacyOrder, `{"sqlState":"03000","statementID":"id","createdOn":7}`, false},
		{"empty data service", empty, ServiceOrder,
			`{"createdOn":7,"data":[],"metadata":{"columns":null,"context":{},"encoding":"json","partitionInfo":null},"sqlState":"00000","statementID":"id"}`, true},
		{"empty data legacy", empty, LegacyOrder,
			`{"sqlState":"00000","statementID":"id","createdOn":7,"metadata":{"encoding":"json","partitionInfo":null,"columns":null,"context":{}},"data":[]}`, false},
	}
	part := NewPartition(rowsOf([]string{"1.000"}, []string{"2.000"}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pre, post := encodeResult(tt.order, tt.head)
			got := string(pre)
			if post != nil {
				got += "<data>" + string(post)
			}
			assert.Equal(t, tt.want, got)
			whole := []byte(strings.Replace(tt.want, "<data>", string(part.JSON()), 1))
			require.True(t, json.Valid(whole))
			if tt.sorted {
				requireSorted(t, whole)
			}
		})
	}
}

func TestKeyOrderErrorsAndFrames(t *testing.T) {
	yes := true
	v := "x"
	tests := []struct {
		name    string
		service string
		legacy  string
		enc     func(KeyOrder) []byte
	}{
		{"error body",
			`{"message":"m","sqlState":"42601","traceID":"t"}`, `{"message":"m","traceID":"t","sqlState":"42601"}`,
			func(o KeyOrder) []byte {
				return encodeError(o, &wire.ErrorResponse{Message: "m", TraceID: "t", SQLState: "42601"})
			}},
		{"metadata frame",
			`{"columns":[{"name":"v","nullable":true,"type":"VARCHAR"}],"headers":{},"type":"metadata"}`,
			`{"type":"metadata","headers":{},"columns":[{"name":"v","type":"VARCHAR","nullable":true}]}`,
			func(o KeyOrder) []byte {
				return appendFrame(nil, o, &wire.Frame{Type: wire.FrameMetadata, Columns: []wire.Column{{Name: "v", Type: "VARCHAR", Nullable: &yes}}})
			}},
		{"metadata frame without columns",
			`{"columns":[],"headers":{},"type":"metadata"}`, `{"type":"metadata","headers":{},"columns":[]}`,
			func(o KeyOrder) []byte { return appendFrame(nil, o, &wire.Frame{Type: wire.FrameMetadata}) }},
		{"data frame",
			`{"data":["x",null],"headers":{},"type":"data"}`, `{"type":"data","headers":{},"data":["x",null]}`,
			func(o KeyOrder) []byte {
				return appendFrame(nil, o, &wire.Frame{Type: wire.FrameData, Data: []*string{&v, nil}})
			}},
		{"empty data frame",
			`{"data":[],"headers":{},"type":"data"}`, `{"type":"data","headers":{},"data":[]}`,
			func(o KeyOrder) []byte { return appendFrame(nil, o, &wire.Frame{Type: wire.FrameData}) }},
		{"error frame",
			`{"headers":{},"message":"m","sqlCode":"XX000","type":"error"}`, `{"type":"error","headers":{},"message":"m","sqlCode":"XX000"}`,
			func(o KeyOrder) []byte {
				return appendFrame(nil, o, &wire.Frame{Type: wire.FrameError, Message: "m", SQLCode: "XX000"})
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.service, string(tt.enc(ServiceOrder)))
			assert.Equal(t, tt.legacy, string(tt.enc(LegacyOrder)))
			requireSorted(t, tt.enc(ServiceOrder))
		})
	}
}

// TestServiceOrderOverHTTP checks every kind of answer the server sends,
// on both planes and over the WebSocket, for the service's key order at
// every level.
func TestServiceOrderOverHTTP(t *testing.T) {
	yes := true
	cols := []wire.Column{{Name: "v", Type: "VARCHAR", Nullable: &yes, DisplayHint: "hint"}}
	st := newChanStream()
	gate := make(chan struct{})
	h := newHarness(t, Config{Engine: engineFunc(func(sub *Submission) []*Outcome {
		outs := make([]*Outcome, len(sub.Statements))
		for i, s := range sub.Statements {
			o := &Outcome{Columns: cols, Partitions: SplitRows(rowsOf([]string{"a"}, []string{"b"}), 1), Context: &wire.Context{DatabaseName: "db", RoleName: "r"}}
			switch {
			case strings.HasPrefix(s, "BAD"):
				o = &Outcome{SQLState: "42601", Message: "syntax"}
			case strings.HasPrefix(s, "MV"):
				o.Dataplane = true
			case s == "SELECT * FROM s;": // what dialStream submits
				o.Stream = st
			case strings.HasPrefix(s, "SLOW"):
				o.Gate = gate
			}
			outs[i] = o
		}
		return outs
	})})

	var bodies [][]byte
	keep := func(r response) response {
		bodies = append(bodies, r.body)
		return r
	}
	keep(h.submitSQL("SELECT 1;"))
	rs := keep(h.submitSQL("SELECT 1; SELECT 2;")).resultSet(t)
	keep(h.get("/v2/statements/" + rs.StatementID + "?partitionID=1"))
	keep(h.submitSQL("BAD;"))
	slow := keep(h.submitSQL("SLOW;"))
	require.Equal(t, http.StatusAccepted, slow.status)
	close(gate)
	keep(h.get("/v2/statements/" + slow.resultSet(t).StatementID))
	mv := keep(h.submitSQL("MV;")).resultSet(t)
	keep(h.dpGet("/v2/statements/"+mv.StatementID+"?partitionID=1", mv.Metadata.DataplaneRequest.Token))
	keep(h.get("/v2/statements/nope"))
	keep(h.get("/v2/version"))

	c, dp := dialStream(t, h)
	sendAuth(t, c, dp.Token)
	ctx := context.Background()
	for _, want := range []string{"metadata", "data", "error"} {
		if want == "data" {
			go func() { st.rows <- rowsOf([]string{"x"})[0] }()
		}
		if want == "error" {
			st.fail = &StreamError{SQLCode: "XX000", Message: "boom"}
			close(st.rows)
		}
		typ, b, err := c.Read(ctx)
		require.NoError(t, err)
		require.Equal(t, websocket.MessageText, typ)
		require.Contains(t, string(b), `"type":"`+want+`"`)
		bodies = append(bodies, b)
	}
	for _, b := range bodies {
		requireSorted(t, b)
	}
}

func FuzzEncodeResult(f *testing.F) {
	f.Add("msg", "col", "VARCHAR", "db", "\u2028\"\\\x00é")
	f.Fuzz(func(t *testing.T, msg, name, typ, db, cell string) {
		yes := true
		for _, order := range []KeyOrder{ServiceOrder, LegacyOrder} {
			h := &resultHead{sqlState: "00000", message: msg, statementID: name, createdOn: -1, data: splitData,
				meta: &wire.Metadata{Encoding: "json", Columns: []wire.Column{{Name: name, Type: typ, Nullable: &yes, DisplayHint: msg}}, Context: &wire.Context{DatabaseName: db}}}
			pre, post := encodeResult(order, h)
			whole := slices.Concat(pre, NewPartition([][]*string{{&cell, nil}}).JSON(), post)
			var rs wire.ResultSet
			require.NoError(t, json.Unmarshal(whole, &rs), "%s", whole)
			want := func(s string) string { return string([]rune(s)) } // invalid bytes become U+FFFD
			assert.Equal(t, want(msg), rs.Message)
			assert.Equal(t, want(name), rs.Metadata.Columns[0].Name)
			assert.Equal(t, want(typ), rs.Metadata.Columns[0].Type)
			assert.Equal(t, want(db), rs.Metadata.Context.DatabaseName)
			require.Len(t, rs.Data, 1)
			assert.Equal(t, want(cell), *rs.Data[0][0])
			if order == ServiceOrder {
				requireSorted(t, whole)
			}
		}
	})
}
