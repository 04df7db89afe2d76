package dstest

import (
	"context"
	"encoding/base64"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// orgNamespace derives stable organization UUIDs from names.
var orgNamespace = uuid.MustParse("6f1b6a52-5a0e-4d0c-9a51-d57e5b1f6a01")

// OrganizationID returns the organization UUID the server reports for an
// organization given by name or UUID: a UUID is returned as is (in
// canonical form); a name maps to a stable UUID derived from it.
func OrganizationID(org string) string {
	if org == "" {
		return ""
	}
	if id, err := uuid.Parse(org); err == nil {
		return id.String()
	}
	return uuid.NewSHA1(orgNamespace, []byte(org)).String()
}

// engine is the dstest implementation of server.Engine and
// server.Downloader: scripted answers.
type engine struct {
	done      <-chan struct{} // closed when the server closes
	mu        sync.Mutex
	scripts   []*Statement
	byID      map[string]*Statement // scripts of OnID
	downloads map[downloadKey][]byte
}

type downloadKey struct{ kind, org, name string }

func newEngine() *engine {
	return &engine{byID: make(map[string]*Statement), downloads: make(map[downloadKey][]byte)}
}

// add registers a script.
func (e *engine) add(match func(string) bool) *Statement {
	st := &Statement{e: e, match: match}
	e.mu.Lock()
	e.scripts = append(e.scripts, st)
	e.mu.Unlock()
	return st
}

// Execute implements server.Engine.
func (e *engine) Execute(_ context.Context, sub *server.Submission) []*server.Outcome {
	outs := make([]*server.Outcome, len(sub.Statements))
	for i, text := range sub.Statements {
		outs[i] = e.execute(text, sub.Request)
	}
	return outs
}

// FindStatement implements server.StatementFinder with the scripts of
// OnID.
func (e *engine) FindStatement(_ context.Context, id string) *server.Outcome {
	e.mu.Lock()
	st := e.byID[id]
	e.mu.Unlock()
	if st == nil {
		return nil
	}
	return st.outcome(&wire.StatementRequest{})
}

// execute answers one statement. Match predicates run without the lock
// held, so that they may call back into the server.
func (e *engine) execute(text string, req *wire.StatementRequest) *server.Outcome {
	e.mu.Lock()
	scripts := e.scripts[:len(e.scripts):len(e.scripts)]
	e.mu.Unlock()
	for _, st := range scripts {
		if !st.match(text) {
			continue
		}
		if o := st.outcome(req); o != nil {
			return o
		}
	}
	return &server.Outcome{SQLState: "XX000", Message: "dstest: no scripted answer for statement: " + text}
}

// outcome takes one answer from st, or returns nil when st has none left.
func (st *Statement) outcome(req *wire.StatementRequest) *server.Outcome {
	e := st.e
	e.mu.Lock()
	if st.times > 0 && st.used >= st.times {
		e.mu.Unlock()
		return nil
	}
	st.used++
	o := &server.Outcome{
		HTTPStatus: st.httpStatus,
		HTTPBody:   st.httpBody,
		SQLState:   st.sqlState,
		Message:    st.message,
		Columns:    toWireColumns(st.cols),
		Context:    mergeContext(req, st.ctx),
		RunTime:    st.runTime,
		Dataplane:  st.dataplane,
		FailGETs:   st.failGETs,
		FailStatus: st.failStatus,
	}
	if st.gate != nil {
		o.Gate = st.gate.ch
	}
	switch {
	case st.httpStatus != 0 || (st.sqlState != "" && st.sqlState != wire.StateSuccess):
		// A failed statement changes no session context: {}.
		o.Context = nil
		e.mu.Unlock()
		return o
	case st.stream != nil:
		o.Stream = &streamRun{s: st.stream, initial: st.rows[:len(st.rows):len(st.rows)]}
		o.StreamColumns = toFrameColumns(st.cols)
		e.mu.Unlock()
		return o
	case st.cacheVer == st.version && (st.cache != nil || len(st.rows) == 0):
		o.Partitions = st.cache
		e.mu.Unlock()
		return o
	}
	rows, size, sizes, ver := st.rows[:len(st.rows):len(st.rows)], st.partSize, st.partSizes, st.version
	e.mu.Unlock()

	// Encode outside the lock: big results take a while. The rows are
	// append-only, so the capped slice stays valid.
	parts := partition(rows, size, sizes)
	e.mu.Lock()
	if st.version == ver {
		st.cache, st.cacheVer = parts, ver
	}
	e.mu.Unlock()
	o.Partitions = parts
	return o
}

// partition encodes rows as partitions of size rows, or of the explicit
// sizes.
func partition(rows [][]*string, size int, sizes []int) []server.Partition {
	if sizes == nil {
		return server.SplitRows(rows, size)
	}
	parts := make([]server.Partition, 0, len(sizes)+1)
	for _, n := range sizes {
		n = max(0, min(n, len(rows)))
		parts = append(parts, server.NewPartition(rows[:n]))
		rows = rows[n:]
	}
	if len(rows) > 0 {
		parts = append(parts, server.NewPartition(rows))
	}
	return parts
}

// mergeContext echoes the request's session context, overridden by the
// script's non-empty fields; nil when all is empty.
func mergeContext(req *wire.StatementRequest, script Context) *wire.Context {
	c := wire.Context{
		OrganizationID:  OrganizationID(req.Organization),
		RoleName:        req.Role,
		DatabaseName:    req.Database,
		SchemaName:      req.Schema,
		StoreName:       req.Store,
		ComputePoolName: req.ComputePool,
	}
	over := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	over(&c.OrganizationID, script.OrganizationID)
	over(&c.RoleName, script.RoleName)
	over(&c.DatabaseName, script.DatabaseName)
	over(&c.SchemaName, script.SchemaName)
	over(&c.StoreName, script.StoreName)
	over(&c.ComputePoolName, script.ComputePoolName)
	if c == (wire.Context{}) {
		return nil
	}
	return &c
}

// toWireColumns converts scripted columns.
func toWireColumns(cols []Column) []wire.Column {
	if cols == nil {
		return nil
	}
	out := make([]wire.Column, len(cols))
	for i, c := range cols {
		nullable := c.Nullable
		out[i] = wire.Column{Name: c.Name, Type: c.Type, Nullable: &nullable, DisplayHint: c.DisplayHint}
	}
	return out
}

// toFrameColumns converts scripted columns for the WebSocket metadata
// frame: no display hint, optional nullable, length, precision, scale.
func toFrameColumns(cols []Column) []wire.Column {
	out := make([]wire.Column, len(cols))
	for i, c := range cols {
		out[i] = wire.Column{Name: c.Name, Type: c.Type, Length: clone(c.Length), Precision: clone(c.Precision), Scale: clone(c.Scale)}
		if !c.OmitNullable {
			nullable := c.Nullable
			out[i].Nullable = &nullable
		}
	}
	return out
}

// clone returns a copy of *p, or nil.
func clone(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// toRow converts scripted cells to wire cells (see Statement.Rows).
func toRow(cells []any) []*string {
	strs := make([]string, len(cells))
	row := make([]*string, len(cells))
	for i, c := range cells {
		if s, ok := cellText(c); ok {
			strs[i] = s
			row[i] = &strs[i]
		}
	}
	return row
}

// cellText returns the wire text of a cell, or ok=false for NULL.
func cellText(c any) (string, bool) {
	switch v := c.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case *string:
		if v == nil {
			return "", false
		}
		return *v, true
	case []byte:
		if v == nil {
			return "", false
		}
		return base64.StdEncoding.EncodeToString(v), true
	case time.Time:
		return v.Format("2006-01-02 15:04:05.999999999"), true
	case fmt.Stringer:
		if rv := reflect.ValueOf(c); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "", false
		}
		return v.String(), true
	}
	if rv := reflect.ValueOf(c); rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", false
		}
		return cellText(rv.Elem().Interface())
	}
	return fmt.Sprint(c), true
}

// addDownload stores a downloadable source.
func (e *engine) addDownload(kind, org, name string, data []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.downloads[downloadKey{kind, OrganizationID(org), name}] = append([]byte(nil), data...)
}

// Download implements server.Downloader.
func (e *engine) Download(kind, org, name string) ([]byte, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	data, ok := e.downloads[downloadKey{kind, OrganizationID(org), name}]
	return data, ok
}
