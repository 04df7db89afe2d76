// Package dstest provides a fake DeltaStream service for tests: a real HTTP
// server on a loopback port that speaks the DeltaStream v2 protocol (the
// REST control plane, the dataplane result-set route and the dataplane
// WebSocket) and answers statements the way the test scripts them. Use it
// to test code built on the deltastream database/sql driver without an
// account, a network or sleeps.
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
//	srv.On("USE DATABASE db2;").Context(dstest.Context{DatabaseName: "db2"})
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
