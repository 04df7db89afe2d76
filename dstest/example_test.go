package dstest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/deltastream-go/deltastream/dstest"
)

// resultSet is the part of a DeltaStream answer these examples look at.
type resultSet struct {
	SQLState     string      `json:"sqlState"`
	Message      string      `json:"message"`
	StatementID  string      `json:"statementID"`
	StatementIDs []string    `json:"statementIDs"`
	Data         [][]*string `json:"data"`
	Metadata     *struct {
		Columns []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"columns"`
		Context *struct {
			DatabaseName string `json:"databaseName"`
		} `json:"context"`
		DataplaneRequest *struct {
			Token string `json:"token"`
			URI   string `json:"uri"`
		} `json:"dataplaneRequest"`
	} `json:"metadata"`
}

// call sends one request to srv with its token and decodes the answer.
func call(srv *dstest.Server, method, url, body string) (int, resultSet) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var rs resultSet
	_ = json.NewDecoder(resp.Body).Decode(&rs)
	return resp.StatusCode, rs
}

// submit POSTs one statement, the way the driver does (as JSON here).
func submit(srv *dstest.Server, sql string) (int, resultSet) {
	b, _ := json.Marshal(map[string]string{"statement": sql})
	return call(srv, http.MethodPost, srv.URL()+"/statements", string(b))
}

func text(c *string) string {
	if c == nil {
		return "NULL"
	}
	return *c
}

// In a test, start the server with dstest.NewServer(t) and open it with
// sql.Open("deltastream", srv.DSN()). This example talks HTTP directly.
func Example() {
	srv, err := dstest.New(dstest.WithToken("my-token"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	srv.On("LIST DATABASES;").
		Columns(dstest.Col("Name", "VARCHAR"), dstest.NotNullCol("IsDefault", "BOOLEAN")).
		Rows([]any{"db1", true}, []any{"db2", false})

	status, rs := submit(srv, "LIST DATABASES;")
	fmt.Println(status, rs.SQLState)
	for _, row := range rs.Data {
		fmt.Println(text(row[0]), text(row[1]))
	}
	fmt.Println(strings.HasPrefix(srv.DSN(), "http://:my-token@127.0.0.1:"))
	// Output:
	// 200 00000
	// db1 true
	// db2 false
	// true
}

func ExampleServer_On() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("CREATE DATABASE db1;").Error("42P04", `database "db1" already exists`)
	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2"})

	_, rs := submit(srv, "CREATE DATABASE db1;")
	fmt.Println(rs.SQLState, rs.Message)
	_, rs = submit(srv, "USE DATABASE db2;")
	fmt.Println(rs.Metadata.Context.DatabaseName)
	_, rs = submit(srv, "DROP DATABASE db1;")
	fmt.Println(rs.SQLState, rs.Message)
	// Output:
	// 42P04 database "db1" already exists
	// db2
	// XX000 dstest: no scripted answer for statement: DROP DATABASE db1;
}

func ExampleStatement_Times() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("SELECT 1;").Times(1).HTTPError(http.StatusServiceUnavailable, `{"message":"try again"}`)
	srv.On("SELECT 1;").Rows([]any{1})

	for range 2 {
		status, _ := submit(srv, "SELECT 1;")
		fmt.Println(status)
	}
	fmt.Println(srv.Submitted("SELECT 1;"))
	// Output:
	// 503
	// 200
	// 2
}

func ExampleStatement_Hold() {
	srv, _ := dstest.New()
	defer srv.Close()
	gate := srv.On("INSERT INTO s SELECT * FROM t;").Hold()

	status, rs := submit(srv, "INSERT INTO s SELECT * FROM t;")
	fmt.Println(status, rs.SQLState)
	poll := srv.URL() + "/statements/" + rs.StatementID
	status, _ = call(srv, http.MethodGet, poll, "")
	fmt.Println(status)
	gate.Release()
	status, rs = call(srv, http.MethodGet, poll, "")
	fmt.Println(status, rs.SQLState)
	// Output:
	// 202 03000
	// 202
	// 200 00000
}

func ExampleStatement_PartitionSize() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("SELECT n FROM t;").Columns(dstest.Col("n", "INTEGER")).
		Rows([]any{1}, []any{2}, []any{3}).PartitionSize(2)

	_, rs := submit(srv, "SELECT n FROM t;")
	fmt.Println(len(rs.Data), "rows in partition 0")
	_, rs = call(srv, http.MethodGet, srv.URL()+"/statements/"+rs.StatementID+"?partitionID=1", "")
	fmt.Println(len(rs.Data), "row in partition 1:", text(rs.Data[0][0]))
	// Output:
	// 2 rows in partition 0
	// 1 row in partition 1: 3
}

func ExampleServer_Fault() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("SELECT 1;").Rows([]any{1})
	// Throttle the first request, then behave.
	srv.Fault(func(r *dstest.Request, n int) *dstest.Fault {
		if n == 1 {
			return &dstest.Fault{Status: http.StatusTooManyRequests, Body: `{"message":"slow down"}`,
				Header: http.Header{"Retry-After": {"1"}}}
		}
		return nil
	})
	for range 2 {
		status, _ := submit(srv, "SELECT 1;")
		fmt.Println(status)
	}
	fmt.Println(len(srv.Requests()))
	// Output:
	// 429
	// 200
	// 2
}

func ExampleStatement_Stream() {
	srv, _ := dstest.New()
	defer srv.Close()
	stream := srv.On("SELECT * FROM pageviews;").Columns(dstest.Col("userid", "VARCHAR")).Stream()
	go func() {
		<-stream.Connected()
		_ = stream.Push("User_1")
		_ = stream.Push("User_2")
		stream.Close()
	}()

	// What the driver does: submit, then follow metadata.dataplaneRequest.
	_, rs := submit(srv, "SELECT * FROM pageviews;")
	dp := rs.Metadata.DataplaneRequest
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, dp.URI, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.CloseNow()
	auth, _ := json.Marshal(map[string]string{"type": "auth", "accessToken": dp.Token, "sessionId": ""})
	_ = conn.Write(ctx, websocket.MessageText, auth)
	for {
		_, msg, err := conn.Read(ctx)
		if websocket.CloseStatus(err) == websocket.StatusNormalClosure {
			fmt.Println("end of rows")
			return
		}
		if err != nil {
			log.Fatal(err)
		}
		var frame struct {
			Type string    `json:"type"`
			Data []*string `json:"data"`
		}
		_ = json.Unmarshal(msg, &frame)
		if frame.Type == "data" {
			fmt.Println(frame.Type, text(frame.Data[0]))
		} else {
			fmt.Println(frame.Type)
		}
	}
	// Output:
	// metadata
	// data User_1
	// data User_2
	// end of rows
}

// A test can check what a streaming client sent in its auth frame, and
// describe columns in the WebSocket metadata frame in more detail than
// REST answers do.
func ExampleStream_Auth() {
	srv, _ := dstest.New()
	defer srv.Close()
	stream := srv.On("PRINT ENTITY pageviews;").
		Columns(dstest.Col("userid", "VARCHAR").WithLength(32), dstest.NotNullCol("n", "BIGINT")).
		Stream()
	stream.Close() // the client gets the metadata, then the end

	_, rs := submit(srv, "PRINT ENTITY pageviews;")
	dp := rs.Metadata.DataplaneRequest
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, dp.URI, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer conn.CloseNow()
	auth, _ := json.Marshal(map[string]string{"type": "auth", "accessToken": dp.Token, "sessionId": "sess-1"})
	_ = conn.Write(ctx, websocket.MessageText, auth)
	_, metadata, _ := conn.Read(ctx)
	fmt.Println(string(metadata))
	_ = conn.Close(websocket.StatusNormalClosure, "")
	<-stream.ClientClosed()

	token, sessionID, ok := stream.Auth()
	fmt.Println(ok, token == dp.Token, sessionID)
	// Output:
	// {"columns":[{"length":32,"name":"userid","nullable":true,"type":"VARCHAR"},{"name":"n","nullable":false,"type":"BIGINT"}],"headers":{},"type":"metadata"}
	// true true sess-1
}

// rawSubmit POSTs one statement and returns the raw answer.
func rawSubmit(srv *dstest.Server, sql string) string {
	b, _ := json.Marshal(map[string]string{"statement": sql})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/statements", bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// The server answers in the service's key order by default; LegacyOrder
// puts sqlState first and data last. The statement id and createdOn are
// replaced here to keep the output stable.
func ExampleWithKeyOrder() {
	for _, order := range []dstest.KeyOrder{dstest.ServiceOrder, dstest.LegacyOrder} {
		srv, _ := dstest.New(dstest.WithKeyOrder(order))
		srv.On("SELECT 1;").Columns(dstest.NotNullCol("n", "INTEGER")).Rows([]any{1})
		body := rawSubmit(srv, "SELECT 1;")
		body = regexp.MustCompile(`"statementID":"[^"]+"`).ReplaceAllString(body, `"statementID":"ID"`)
		body = regexp.MustCompile(`"createdOn":\d+`).ReplaceAllString(body, `"createdOn":T`)
		fmt.Println(order, body)
		srv.Close()
	}
	// Output:
	// ServiceOrder {"createdOn":T,"data":[["1"]],"metadata":{"columns":[{"name":"n","nullable":false,"type":"INTEGER"}],"context":{},"encoding":"json","partitionInfo":[{"rowCount":1}]},"sqlState":"00000","statementID":"ID"}
	// LegacyOrder {"sqlState":"00000","statementID":"ID","createdOn":T,"metadata":{"encoding":"json","partitionInfo":[{"rowCount":1}],"columns":[{"name":"n","type":"INTEGER","nullable":false}],"context":{}},"data":[["1"]]}
}

// Command results carry the object's path as JSON text in a fifth column.
func ExampleStatement_CommandResult() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("CREATE SCHEMA demodb.newschema;").
		CommandResult("schema", "demodb.newschema", "CREATE", `schema "demodb.newschema" was successfully created`)
	srv.On("CREATE STREAM pv AS SELECT * FROM pageviews;").
		CommandResult("query", "a96a9711-e737-4aa2-9567-2000ed88b361", "CREATE", "query started", "db", "public", "pv")

	for _, sql := range []string{"CREATE SCHEMA demodb.newschema;", "CREATE STREAM pv AS SELECT * FROM pageviews;"} {
		_, rs := submit(srv, sql)
		var names []string
		for _, c := range rs.Metadata.Columns {
			names = append(names, c.Name)
		}
		fmt.Println(strings.Join(names, ","), "|", text(rs.Data[0][1]), "|", text(rs.Data[0][4]))
	}
	// Output:
	// Type,Name,Command,Summary,Path | demodb.newschema | ["demodb","newschema"]
	// Type,Name,Command,Summary,Path | a96a9711-e737-4aa2-9567-2000ed88b361 | ["db","public","pv"]
}

// Dataplane results are paged from another origin with the short-lived
// token the control plane hands out.
func ExampleServer_DataplaneURL() {
	srv, _ := dstest.New()
	defer srv.Close()
	srv.On("SELECT * FROM mv;").Columns(dstest.Col("n", "INTEGER")).Rows([]any{1}, []any{2}).Dataplane()

	_, rs := submit(srv, "SELECT * FROM mv;")
	dp := rs.Metadata.DataplaneRequest
	fmt.Println(len(rs.Data), "rows on the control plane")
	fmt.Println(dp.URI == srv.DataplaneURL()+"/statements/"+rs.StatementID, !strings.HasPrefix(dp.URI, srv.URL()))

	req, _ := http.NewRequest(http.MethodGet, dp.URI+"?partitionID=0", nil)
	req.Header.Set("Authorization", "Bearer "+dp.Token) // the dataplane token, not the API token
	resp, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var page resultSet
	_ = json.NewDecoder(resp.Body).Decode(&page)
	fmt.Println(len(page.Data), "rows on the dataplane")
	// Output:
	// 0 rows on the control plane
	// true true
	// 2 rows on the dataplane
}

// A client can resume a statement submitted elsewhere, by its id alone.
// OnID scripts what the server answers for such an id; unknown ids get
// 404.
func ExampleServer_OnID() {
	srv, _ := dstest.New()
	defer srv.Close()
	const id = "6d6b9e67-1faf-41d1-96cc-b559621fc8ae"
	gate := srv.OnID(id).Columns(dstest.Col("n", "INTEGER")).Rows([]any{42}).Hold()

	status, rs := call(srv, http.MethodGet, srv.URL()+"/statements/"+id, "")
	fmt.Println(status, rs.SQLState)
	gate.Release()
	status, rs = call(srv, http.MethodGet, srv.URL()+"/statements/"+id, "")
	fmt.Println(status, rs.SQLState, text(rs.Data[0][0]))
	status, _ = call(srv, http.MethodGet, srv.URL()+"/statements/00000000-0000-0000-0000-000000000000", "")
	fmt.Println(status)
	// Output:
	// 202 03000
	// 200 00000 42
	// 404
}

// A test can follow a client's polls of a held statement and release it
// at a chosen poll, without sleeping.
func ExampleServer_WaitPolls() {
	srv, _ := dstest.New()
	defer srv.Close()
	gate := srv.On("CREATE STREAM s AS SELECT 1;").CommandResult("stream", "s", "CREATE", "created").Hold()

	_, rs := submit(srv, "CREATE STREAM s AS SELECT 1;")
	done := make(chan int)
	go func() { // the client: poll until done
		for {
			if status, _ := call(srv, http.MethodGet, srv.URL()+"/statements/"+rs.StatementID, ""); status == http.StatusOK {
				close(done)
				return
			}
		}
	}()
	polls, err := srv.WaitPolls(context.Background(), rs.StatementID, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(polls), "polls, then release")
	gate.Release()
	<-done
	// Every poll is recorded before it is answered; the second one may
	// already be the one that sees the statement done.
	fmt.Println(len(srv.Polls(rs.StatementID)) >= 2)
	// Output:
	// 2 polls, then release
	// true
}
