package emulator

import (
	"strconv"
	"strings"
)

// Starting persistent queries: CREATE ... AS SELECT and INSERT INTO ... SELECT.

// insertSelectStmt is INSERT INTO rel SELECT ....
type insertSelectStmt struct {
	rel        qname
	sel        *selectStmt
	selectText string
}

// insertSelect parses the SELECT of INSERT INTO rel SELECT.
func (p *parser) insertSelect(st *insertStmt) (any, error) {
	if st.columns != nil {
		return nil, unsupported("a column list in INSERT INTO ... SELECT")
	}
	start := p.peek().pos
	sel, err := p.selectStmt()
	if err != nil {
		return nil, err
	}
	text := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p.sql[start:]), ";"))
	return &insertSelectStmt{rel: st.rel, sel: sel, selectText: text}, nil
}

// dispatchStreaming runs the statements of the streaming part of the
// emulator; ok=false for statements it does not know.
func (x *exec) dispatchStreaming(st any) (*result, bool, error) {
	switch s := st.(type) {
	case *queryCmd:
		res, err := x.queryCommand(s)
		return res, true, err
	case *printStmt:
		res, err := x.print(s)
		return res, true, err
	case *insertSelectStmt:
		res, err := x.insertSelect(s)
		return res, true, err
	}
	return nil, false, nil
}

// selectsSystem reports whether s reads a system table.
func (x *exec) selectsSystem(s *selectStmt) bool {
	if len(s.from.parts) == 0 {
		return true // SELECT without FROM: evaluated once
	}
	r, err := x.lookupRelation(s.from)
	return err == nil && r.system
}

// createAsSelect runs CREATE STREAM/CHANGELOG/MATERIALIZED VIEW ... AS
// SELECT: it creates the sink and starts the query that fills it.
func (x *exec) createAsSelect(s *createStmt, r *relation) (*result, error) {
	if err := prepareEmit(s.asSelect, s.kind); err != nil {
		return nil, err
	}
	pp, err := x.persistPlan(s.asSelect)
	if err != nil {
		return nil, err
	}
	if err := checkSink(s.kind, pp); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, c := range pp.p.cols {
		if seen[c.Name] {
			return nil, errorf(stateSyntax, "the %s would have two columns named %s; name them with AS", typeWord(s.kind), quoteText(c.Name))
		}
		seen[c.Name] = true
		r.cols = append(r.cols, column{Name: c.Name, Type: c.Type, NotNull: !c.IsNullable(), t: pp.p.types[i]})
	}
	if s.kind != kindStream {
		r.pk = pp.keys
	}
	if s.kind == kindMaterializedView {
		r.store = x.sess.store
	} else {
		if err := x.checkKey(s.kind, r); err != nil {
			return nil, err
		}
		if err := x.relationProps(r); err != nil {
			return nil, err
		}
	}
	if err := x.insertRelation(r, strings.TrimRight(strings.TrimSpace(x.text), ";")); err != nil {
		return nil, err
	}
	if s.kind == kindMaterializedView && len(r.pk) > 0 {
		cols := make([]string, len(r.pk))
		for i, k := range r.pk {
			cols[i] = colName(r.colIndex(k))
		}
		if _, err := x.tx.ExecContext(x.ctx, "CREATE UNIQUE INDEX "+logTable(r.id)+"_key ON "+logTable(r.id)+" ("+strings.Join(cols, ", ")+")"); err != nil {
			return nil, err
		}
	}
	id, err := x.startQuery(pp, r, s.asSelect, s.selectText)
	if err != nil {
		return nil, err
	}
	return queryStarted(commandResult(s.kind, "CREATE", created(s.kind, r.path()...), r.path()...), "CREATE", id, r.path()), nil
}

// insertSelect runs INSERT INTO rel SELECT: a query appending to an
// existing stream or changelog.
func (x *exec) insertSelect(s *insertSelectStmt) (*result, error) {
	sink, err := x.lookupRelation(s.rel)
	if err != nil {
		return nil, err
	}
	switch {
	case sink.system:
		return nil, errorf("42501", "system table %s is read-only", fqn(sink.path()...))
	case sink.typ == kindMaterializedView:
		return nil, unsupported("INSERT INTO a materialized view")
	}
	if err := prepareEmit(s.sel, sink.typ); err != nil {
		return nil, err
	}
	pp, err := x.persistPlan(s.sel)
	if err != nil {
		return nil, err
	}
	if pp.src.id == sink.id {
		return nil, unsupported("a query that reads its own sink")
	}
	if err := checkSink(sink.typ, pp); err != nil {
		return nil, err
	}
	if len(pp.p.cols) != len(sink.cols) {
		return nil, errorf(stateSyntax, "the SELECT has %d columns; %s has %d", len(pp.p.cols), fqn(sink.path()...), len(sink.cols))
	}
	for i, t := range pp.p.types {
		if !comparable(t, sink.cols[i].t) {
			return nil, errorf("42804", "column %d of the SELECT has type %s; column %s of %s has type %s",
				i+1, t.String(), quoteText(sink.cols[i].Name), fqn(sink.path()...), sink.cols[i].Type)
		}
	}
	id, err := x.startQuery(pp, sink, s.sel, s.selectText)
	if err != nil {
		return nil, err
	}
	path := sink.path()
	return queryStarted(&result{cols: commandColumns}, "INSERT", id, path), nil
}

// queryStarted adds the row naming a started query to a command result.
func queryStarted(res *result, command, id string, path []string) *result {
	res.rows = append(res.rows, []*string{str("query"), str(id), str(command), str("query " + id + " was successfully started"), str(pathJSON(path...))})
	return res
}

// startQuery records a running query from pp into sink; it starts at the
// end of its source, or at its beginning with 'starting.position' =
// 'earliest', catching up before the statement commits.
func (x *exec) startQuery(pp *pplan, sink *relation, sel *selectStmt, selectText string) (string, error) {
	earliest, _ := startEarliest(sel.props)
	if !hasStart(sel.props) && sink.typ == kindMaterializedView {
		earliest = true // a view shows its source's contents
	}
	start := int64(0)
	if !earliest {
		var err error
		if start, err = x.logEnd(pp.src.id); err != nil {
			return "", err
		}
	}
	if err := x.refuseCycle(pp.src.id, sink.id); err != nil {
		return "", err
	}
	if pp.window {
		if err := x.indexEventTime(pp.src); err != nil {
			return "", err
		}
	} else if pp.grouped && pp.src.typ == kindStream {
		if err := x.indexGroups(pp.src, sel); err != nil {
			return "", err
		}
	}
	q := &pquery{
		id: newQueryID(), state: queryRunning, sink: sink.id, sources: append([]int64{pp.src.id}, pp.others...),
		offsets: map[string]int64{offsetKey(pp.src.id): start},
		db:      x.sess.db, schema: x.sess.schema, tz: x.sess.tz, selectText: selectText,
		owner: x.sess.role, queryText: strings.TrimRight(strings.TrimSpace(x.text), ";"),
	}
	if j := pp.p.rel.join; j != nil && j.within >= 0 { // the second stream drives too
		end := int64(0)
		if !earliest {
			var err error
			if end, err = x.logEnd(j.c.id); err != nil {
				return "", err
			}
		}
		q.offsets[offsetKey(j.c.id)] = end
	}
	if err := x.insertQuery(q); err != nil {
		return "", err
	}
	x.appended(pp.src.id)
	return q.id, nil
}

func offsetKey(id int64) string { return strconv.FormatInt(id, 10) }

// refuseCycle fails when a query from src into sink would close a cycle
// of queries (sink, through running queries, feeding src), which would
// move rows around forever.
func (x *exec) refuseCycle(src, sink int64) error {
	qs, err := x.loadQueries(`q.current_state = 'running'`)
	if err != nil {
		return err
	}
	seen := map[int64]bool{sink: true}
	todo := []int64{sink}
	for len(todo) > 0 {
		r := todo[0]
		todo = todo[1:]
		if r == src {
			return unsupported("a query that feeds its own source (a cycle of queries)")
		}
		for _, q := range qs {
			if _, drives := q.offsets[offsetKey(r)]; drives && !seen[q.sink] {
				seen[q.sink] = true
				todo = append(todo, q.sink)
			}
		}
	}
	return nil
}

// indexGroups indexes a stream's log by the GROUP BY columns of sel, so
// that an aggregation re-reads only the rows of the groups that change.
func (x *exec) indexGroups(r *relation, sel *selectStmt) error {
	var cols []string
	for _, g := range sel.groupBy {
		if c, ok := g.(*colRef); ok {
			if i := r.colIndex(c.parts[len(c.parts)-1]); i >= 0 {
				cols = append(cols, colName(i))
			}
		}
	}
	if len(cols) == 0 {
		return nil
	}
	name := logTable(r.id) + "_g_" + strings.Join(cols, "_")
	_, err := x.tx.ExecContext(x.ctx, "CREATE INDEX IF NOT EXISTS "+name+" ON "+logTable(r.id)+" ("+strings.Join(cols, ", ")+")")
	return err
}
