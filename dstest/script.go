package dstest

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
)

// Context is the session context a statement reports in
// metadata.context, which is how "USE DATABASE x;" and the like take
// effect: clients adopt the non-empty fields. See Statement.Context.
type Context struct {
	OrganizationID  string // organization UUID
	RoleName        string
	DatabaseName    string
	SchemaName      string
	StoreName       string
	ComputePoolName string
}

// Column describes one result column.
//
// REST answers carry Name, Type, Nullable and DisplayHint. The metadata
// frame of a streaming statement (see Statement.Stream) carries Name, Type,
// Nullable (unless OmitNullable) and, when set, Length, Precision and Scale,
// as the service's WebSocket does.
type Column struct {
	Name        string
	Type        string // e.g. "VARCHAR", "BIGINT", "DECIMAL(4, 3)", "TIMESTAMP_LTZ(6)"
	Nullable    bool
	DisplayHint string // optional display_hint (REST answers only)

	// Length, Precision and Scale, when non-nil, are sent as the column's
	// length, precision and scale in the WebSocket metadata frame (e.g.
	// VARCHAR length 32, DECIMAL precision 12 scale 3). REST answers never
	// carry them.
	Length, Precision, Scale *int64
	// OmitNullable leaves nullable out of the WebSocket metadata frame,
	// which clients must read as nullable; REST answers still send
	// Nullable.
	OmitNullable bool
}

// Col returns a nullable column.
func Col(name, typ string) Column { return Column{Name: name, Type: typ, Nullable: true} }

// NotNullCol returns a column that is not nullable.
func NotNullCol(name, typ string) Column { return Column{Name: name, Type: typ} }

// WithLength returns a copy of c whose WebSocket metadata carries length n.
func (c Column) WithLength(n int64) Column {
	c.Length = &n
	return c
}

// WithPrecision returns a copy of c whose WebSocket metadata carries
// precision p.
func (c Column) WithPrecision(p int64) Column {
	c.Precision = &p
	return c
}

// WithScale returns a copy of c whose WebSocket metadata carries scale s.
func (c Column) WithScale(s int64) Column {
	c.Scale = &s
	return c
}

// WithoutNullable returns a copy of c with OmitNullable set: its WebSocket
// metadata leaves nullable out.
func (c Column) WithoutNullable() Column {
	c.OmitNullable = true
	return c
}

// Statement is the scripted answer to the statements it matches; create it
// with Server.On or Server.OnMatch and configure it with its chainable
// methods. A script may be changed at any time, also while the server
// runs; a submission uses the script as it is when the statement arrives.
// The zero configuration answers success without columns or rows.
type Statement struct {
	e     *engine
	match func(sql string) bool

	// Guarded by e.mu.
	cols       []Column
	rows       [][]*string
	partSize   int
	partSizes  []int
	runTime    time.Duration
	gate       *Gate
	sqlState   string
	message    string
	httpStatus int
	httpBody   string
	ctx        Context
	dataplane  bool
	stream     *Stream
	times      int // 0: unlimited
	used       int
	failGETs   int
	failStatus int
	version    int // bumped by every change that affects the partitions
	cache      []server.Partition
	cacheVer   int
}

// On scripts the answer to the statement whose text is exactly sql. A
// submission of a single statement is matched as sent, trailing semicolon
// and whitespace included. A submission of several statements (split at
// top-level semicolons, ignoring those in literals, quoted identifiers and
// comments) is matched statement by statement, each piece starting at its
// first token and ending with its semicolon.
//
// Scripts are tried in registration order and the first one that matches
// (and has answers left, see Times) answers. A statement that no script
// matches answers sqlState "XX000" with the message
// "dstest: no scripted answer for statement: <text>".
func (s *Server) On(sql string) *Statement {
	return s.eng.add(func(text string) bool { return text == sql })
}

// OnMatch scripts the answer to every statement for which pred returns
// true; see On for how statements are matched. pred runs on the server's
// goroutines and must be safe for concurrent use.
func (s *Server) OnMatch(pred func(sql string) bool) *Statement {
	if pred == nil {
		pred = func(string) bool { return false }
	}
	return s.eng.add(pred)
}

// set runs f under the engine lock and returns st.
func (st *Statement) set(f func()) *Statement {
	st.e.mu.Lock()
	defer st.e.mu.Unlock()
	f()
	return st
}

// Columns sets the result columns (replacing earlier ones).
func (st *Statement) Columns(cols ...Column) *Statement {
	return st.set(func() { st.cols = append([]Column(nil), cols...) })
}

// Rows appends result rows. Cells convert as follows: nil and nil pointers
// are NULL; a string is sent as is; []byte is sent in standard base64 (the
// VARBINARY form); time.Time as "2006-01-02 15:04:05.999999999" (the
// TIMESTAMP form); a pointer as what it points to; anything else as
// fmt.Sprint gives it. Use strings for full control of the wire text.
func (st *Statement) Rows(rows ...[]any) *Statement {
	conv := make([][]*string, len(rows))
	for i, r := range rows {
		conv[i] = toRow(r)
	}
	return st.set(func() {
		st.rows = append(st.rows, conv...)
		st.version++
	})
}

// PartitionSize splits the rows into partitions of n rows each (the last
// may be shorter). The default, n <= 0, is a single partition.
func (st *Statement) PartitionSize(n int) *Statement {
	return st.set(func() {
		st.partSize, st.partSizes = n, nil
		st.version++
	})
}

// Partitions splits the rows into partitions of exactly these sizes, in
// order; a size of 0 gives an empty partition. Rows left over after the
// last size form one more partition; sizes beyond the rows give shorter or
// empty partitions. Negative sizes count as 0.
func (st *Statement) Partitions(sizes ...int) *Statement {
	return st.set(func() {
		st.partSize, st.partSizes = 0, append([]int{}, sizes...)
		st.version++
	})
}

// RunTime makes the statement answer 202 (still running) until d has
// passed on the server clock since its submission.
func (st *Statement) RunTime(d time.Duration) *Statement {
	return st.set(func() { st.runTime = d })
}

// Hold makes the statement answer 202 until the returned Gate is released,
// so that a test can observe a running statement without sleeping. Every
// submission of this script waits for the same gate. Calling Hold again
// returns the same Gate.
func (st *Statement) Hold() *Gate {
	st.e.mu.Lock()
	defer st.e.mu.Unlock()
	if st.gate == nil {
		st.gate = &Gate{ch: make(chan struct{})}
	}
	return st.gate
}

// Error makes the statement fail: it answers 200 with this sqlState and
// message, like the service does for SQL errors.
func (st *Statement) Error(sqlState, message string) *Statement {
	return st.set(func() { st.sqlState, st.message = sqlState, message })
}

// HTTPError makes the submission fail at the HTTP level: the POST is
// answered with status and body verbatim, and no statement is created.
func (st *Statement) HTTPError(status int, body string) *Statement {
	return st.set(func() { st.httpStatus, st.httpBody = status, body })
}

// Context sets the session context the statement reports, e.g. for
// "USE DATABASE x;" set DatabaseName "x". Non-empty fields override the
// context echoed from the request (see Server.On); empty ones keep it.
func (st *Statement) Context(ctx Context) *Statement {
	return st.set(func() { st.ctx = ctx })
}

// Dataplane serves the rows from the dataplane: the answer carries
// metadata.dataplaneRequest (requestType "result-set", uri
// DataplaneURL()+"/statements/{id}") with a short-lived token and
// "data":[], and the partitions are fetched from that route on the
// dataplane's origin, which only accepts that token.
func (st *Statement) Dataplane() *Statement {
	return st.set(func() { st.dataplane = true })
}

// Times limits the script to n answers; after that it no longer matches and
// later scripts get their turn, which scripts sequences such as "fail once,
// then succeed". n <= 0 means unlimited (the default).
func (st *Statement) Times(n int) *Statement {
	return st.set(func() { st.times = n })
}

// FailTimes makes the first n GET requests about each submitted statement
// of this script (status polls and partition fetches, control plane or
// dataplane) fail with HTTP status (503 if status is 0), after which they
// are answered normally.
func (st *Statement) FailTimes(n int, status int) *Statement {
	return st.set(func() { st.failGETs, st.failStatus = n, status })
}

// CommandResult scripts the answer of a DDL statement or command the way
// current servers send it: columns Type, Name, Command, Summary and Path
// (all VARCHAR, not null) and one row with these values. Path is the JSON
// text of the object's path: the path elements given, or else name split
// at its dots. For example
//
//	CommandResult("schema", "demodb.newschema", "CREATE", `schema "demodb.newschema" was successfully created`)
//
// has Path ["demodb","newschema"], and
//
//	CommandResult("query", queryID, "CREATE", "query started", "db", "public", "pageviews")
//
// has Path ["db","public","pageviews"]. Older servers leave Path out;
// script Columns and Rows to imitate them.
func (st *Statement) CommandResult(objType, name, command, summary string, path ...string) *Statement {
	return st.Columns(
		NotNullCol("Type", "VARCHAR"), NotNullCol("Name", "VARCHAR"),
		NotNullCol("Command", "VARCHAR"), NotNullCol("Summary", "VARCHAR"),
		NotNullCol("Path", "VARCHAR"),
	).Rows([]any{objType, name, command, summary, PathJSON(name, path...)})
}

// PathJSON returns the JSON text of an object's path as the Path column of
// a command result carries it: the elements given, or else name split at
// its dots; PathJSON("db.public.pageviews") is ["db","public","pageviews"].
func PathJSON(name string, path ...string) string {
	if len(path) == 0 && name != "" {
		path = strings.Split(name, ".")
	}
	if path == nil {
		path = []string{}
	}
	b, _ := json.Marshal(path) // cannot fail for strings
	return string(b)
}

// Gate holds statements in the running state until released.
type Gate struct {
	once sync.Once
	ch   chan struct{}
}

// Release lets the held statements finish: their next poll answers 200.
// Release is idempotent.
func (g *Gate) Release() { g.once.Do(func() { close(g.ch) }) }
