// Package deltastream is a database/sql driver for DeltaStream, the
// serverless stream-processing service driven by SQL over a REST API. This
// overview is a guide; README.md has the tables (DSN parameters, type
// mapping, SQL states, measured figures).
//
// # Opening a database
//
// Register the driver with a blank import and open a DSN:
//
//	import (
//		"database/sql"
//
//		_ "github.com/deltastream-go/deltastream"
//	)
//
//	db, err := sql.Open("deltastream", "https://:"+token+"@api.deltastream.io/v2?organization=acme&database=analytics")
//
// The API token is the URL password (URL-encode it if it holds @, / or :).
// deltastream:// is an alias of https://; plain http:// is accepted only for
// loopback hosts unless allowInsecureHTTP=true. sql.Open makes no request:
// call db.PingContext to check the endpoint and the token.
//
// What a DSN cannot hold (a token provider for rotating tokens, an
// *http.Client, a logger) goes in a Config, which a Connector validates and
// sql.OpenDB uses:
//
//	cfg, err := deltastream.ParseDSN(dsn) // or deltastream.NewConfig()
//	cfg.TokenProvider = func(ctx context.Context) (string, error) { return vault.Token(ctx) }
//	connector, err := deltastream.NewConnector(cfg)
//	db := sql.OpenDB(connector)
//
// Printing a Config or a Connector masks the token, and so does every error
// and log line of the driver.
//
// # Session context
//
// DeltaStream keeps no session on the server: the driver sends the
// organization, role, database, schema, store and compute pool with every
// statement and adopts the context the service answers with, so USE
// DATABASE x on a connection applies to its later statements. When a
// connection returns to the pool it goes back to the DSN's values: run
// session changes on one *sql.Conn. CurrentSession and SetSession read and
// set the context of a connection without a round trip.
//
// # Statements and polling
//
// A statement is one POST /v2/statements. While the service answers 202
// (still running) the driver polls with an adaptive interval: a third of the
// time the statement has run so far, between minPollInterval and
// maxPollInterval. Every wait ends when ctx ends; there is no cancel
// endpoint, so ending ctx stops the waiting, not the statement. Every error
// names its statement (StatementIDOf); WithStatementInfo reports the id of
// statements that succeed, with the full column types.
//
// DeltaStream has no transactions (Begin returns
// ErrTransactionsNotSupported) and reports no affected rows
// (ErrNotReported).
//
// # Long-running statements
//
// A statement has an id once the service has answered its submission, and
// runs on the service whatever the client does (there is no cancel
// endpoint). WithStatementAccepted reports the id at that moment, before any
// poll; WithProgress reports each poll while the driver waits;
// WithStatementInfo reports the id and column types once the statement has
// finished. Under WithAsync, ExecContext and QueryContext return once the
// statement is accepted: ResultStatementIDs gives an Exec's ids, and a
// Query's Rows wait on first use. WithResume(ctx, ids...) with an empty
// query reads the result of statements submitted earlier, possibly by
// another process, polling while they run; an unknown id matches
// ErrNotFound. A ctx that ends while the driver waits stops the wait, not
// the statement: the error carries the id (StatementIDOf) and says the
// statement may still be running.
//
// # Results
//
// A result comes in partitions, which Rows read in order as they stream in,
// with up to prefetch partitions fetched ahead; memory stays bounded whatever
// the size of the result. A batch (several statements in one string) gives
// one result set per statement (Rows.NextResultSet); Exec reports the first
// failing statement with its position (Error.Position). Results that live on
// the dataplane are paged from there with its short-lived token.
//
// # Types
//
// Every cell travels as text; the driver returns int64, float64, bool,
// string, []byte and time.Time by column type, DECIMAL as exact text, and
// ARRAY, MAP and STRUCT as JSON text (scan them into JSON[T] to decode).
// Column metadata (ColumnTypes) gives scan types that always work. See the
// README, "Type mapping".
//
// # Parameters
//
// The REST API takes plain SQL text, so arguments (?, $1 or @name; one style
// per statement) are rendered into the text on the client, in a way no
// argument can change the structure of the statement. A statement without
// arguments is sent byte for byte. Prepare is client-side and free.
// QuoteIdentifier and QuoteString quote names and strings for DDL built from
// data.
//
// # Continuous queries
//
// A SELECT on a stream, or PRINT ENTITY, never ends: its rows arrive over the
// dataplane WebSocket, and QueryContext returns once the column metadata has
// arrived. Next blocks until the next row; the end of ctx ends the query, and
// Rows.Close is safe at any moment. The handshake and the metadata frame are
// bounded by requestTimeout, the rows that follow only by ctx.
//
// # Attachments
//
// Statements that upload files (function sources, descriptors, keys) attach
// them through the context with WithAttachment; the body streams, and such a
// statement is never retried. DownloadFunctionSource and
// DownloadDescriptorSource stream uploaded sources back.
//
// # Errors
//
// Every failure DeltaStream reports is an *Error with its SQL state, message,
// statement id, trace id and HTTP status. Sentinels classify them for
// errors.Is: ErrNotFound, ErrAlreadyExists and ErrNotReady (for idempotent
// create, drop and wait; see IsNotFound, IsAlreadyExists, IsNotReady),
// ErrUnauthorized, ErrTimeout, ErrUnavailable and ErrRedirected. A failure
// keeps its cause: a ctx that ends while a request is retried gives an error
// that matches both ctx's error and the last failure. Text the server sent
// is cleaned before it enters an error: the token is masked, control
// characters are escaped, and long messages are cut.
//
// # Reliability
//
// Idempotent requests (polls, partitions, /version, downloads) are retried
// with backoff within retryTimeout; a statement is sent again only when it
// provably never reached the server or was answered 429, so no statement
// ever runs twice. requestTimeout bounds the wait for each answer, and a
// body must deliver at least 4 KiB per requestTimeout of waiting (or end).
// The driver never follows an HTTP redirect, on either plane and whatever
// the *http.Client's CheckRedirect says: the token would go along, and
// DeltaStream's API does not redirect. Memory is bounded whatever the server
// sends. See the README, "Reliability", for the limits.
//
// # Testing
//
// The package dstest is an in-process fake DeltaStream server: script
// statements with their columns, rows, partitions, run times, errors and
// streams, inject faults, and open it with its DSN:
//
//	srv := dstest.NewServer(t)
//	srv.On("SELECT 1;").Columns(dstest.Col("n", "BIGINT")).Rows([]any{"1"})
//	db, err := sql.Open("deltastream", srv.DSN())
package deltastream
