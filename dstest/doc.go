// Package dstest provides a fake DeltaStream service for tests: real HTTP
// servers on loopback ports that speak the DeltaStream v2 protocol (the
// REST control plane, and on another origin the dataplane's result-set
// route and WebSocket) and answer statements the way the test scripts
// them, in the shape the real service gives them. Use it to test code
// built on the deltastream database/sql driver without an account, a
// network or sleeps.
//
// # Starting a server
//
// NewServer starts a server and closes it when the test ends:
//
//	srv := dstest.NewServer(t)
//	db, err := sql.Open("deltastream", srv.DSN())
//
// DSN holds the server's random API token; WithToken picks it, SetToken
// rotates it (the old token then gets 403).
//
// # Answers like the service's
//
// The server writes every JSON object with its keys in the service's
// order: alphabetical at every level, so a result's "data" comes before
// its "metadata" and "sqlState":
//
//	{"createdOn":1709673115,"data":[["db1","true"]],"metadata":{"columns":[{"name":"Name","nullable":true,"type":"VARCHAR"},…],
//	 "context":{"databaseName":"db1"},"encoding":"json","partitionInfo":[{"rowCount":1}]},"sqlState":"00000","statementID":"…"}
//
// WithKeyOrder(LegacyOrder) puts sqlState, statementID and metadata first
// and data last, the order of the hand-written fixtures in the official
// clients' repositories; run a test in both orders to check that the code
// under test does not depend on the order. Every answer with metadata
// carries metadata.context, at least {}; a SQL error carries metadata
// without columns and a context of {}.
//
// The dataplane is another origin, as the service's is
// (https://dataplane…/v2): DataplaneURL returns its base URL,
// "http://127.0.0.1:PORT2/v2". A Dataplane statement's answer points to
// DataplaneURL+"/statements/{id}" and a streaming statement's to
// "ws://127.0.0.1:PORT2/v2/print/{id}"; the control-plane answers of both
// carry "data":[], and those of a streaming statement "columns":null (the
// columns come with the WebSocket's metadata frame). Request.Dataplane
// tells which origin a recorded request went to.
//
// CommandResult answers with the five columns current servers send for
// DDL and commands: Type, Name, Command, Summary and Path, where Path is
// the JSON text of the object's path, e.g. ["demodb","newschema"].
//
// # Scripting statements
//
// On scripts the answer to one exact statement text, OnMatch to every
// statement a predicate accepts. The first matching script in registration
// order answers; a statement nobody scripted fails with sqlState XX000 and
// a message naming it.
//
//	srv.On("LIST DATABASES;").
//		Columns(dstest.Col("Name", "VARCHAR"), dstest.Col("IsDefault", "BOOLEAN")).
//		Rows([]any{"db1", true}, []any{"db2", false})
//
//	srv.On("CREATE DATABASE db1;").Error("42P04", `database "db1" already exists`)
//
//	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2"}).
//		CommandResult("database", "db2", "USE", "ok")
//
// Results can be split into partitions (PartitionSize, Partitions), served
// from the dataplane (Dataplane), kept running for a while (RunTime) or
// until the test releases them (Hold), or fail at the HTTP level
// (HTTPError, FailTimes). Times limits how often a script answers, which
// scripts sequences such as "fail once, then succeed".
//
// Every answer's metadata.context echoes the session context of the
// request (organization, role, database, schema, store, compute pool; an
// organization name is reported as the UUID OrganizationID derives from
// it), with the script's Context fields taking precedence.
//
// A submission holding several statements is split at top-level
// semicolons and each statement is matched on its own; the answer then
// lists one statement id per statement.
//
// # Long-running statements and resuming by id
//
// Hold keeps a statement answering 202 until the test releases its Gate.
// Polls lists the GET /statements/{id} requests the server received for
// a statement id; WaitPolls waits for the n-th one, so a test can act at a
// chosen point of a client's wait without sleeping. WaitRequests waits for
// any kind of request, e.g. for a submission to learn its statement id
// (Request.StatementID).
//
// Statement ids stay valid for the server's lifetime: a second *sql.DB
// opened on the same DSN can resume a statement the first one submitted.
// To resume an id the server never handed out (a statement submitted by
// another process, or in another test), script it with OnID. A GET of an
// id that is neither known nor scripted answers 404 with a JSON error
// body, {"message":"statement … not found …","traceID":"…"}: the API
// specification lists 404 for GET /statements/{id}, and no documented SQL
// state means "unknown statement".
//
// # Streaming
//
// Statement.Stream turns a script into a streaming query served over the
// dataplane WebSocket. The test pushes rows while the client reads them and
// ends the stream with Close or Fail; Connected and ClientClosed let it
// wait for the client without sleeping:
//
//	st := srv.On("SELECT * FROM pageviews;").Columns(dstest.Col("userid", "VARCHAR")).Stream()
//	go func() {
//		<-st.Connected()
//		_ = st.Push("User_1")
//		st.Close()
//	}()
//
// The WebSocket metadata frame may describe columns in more detail than
// REST answers: Column.WithLength, WithPrecision, WithScale and
// WithoutNullable set what it carries. Stream.Auth tells what the client
// sent in its auth frame (Request.AuthFrame has it verbatim), and
// Stream.Written counts the data frames written to the socket, so that a
// test can see the server's writes stall while its client does not read.
//
// # Inspecting and breaking requests
//
// Requests, Submissions and Submitted tell what the client sent (the
// Authorization header included). Fault injects failures into chosen
// requests: error statuses, delays, hangs, truncated bodies, reset
// connections.
//
// All methods are safe for concurrent use with the running server.
package dstest
