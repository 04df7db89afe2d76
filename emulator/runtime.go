package emulator

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// The runtime of persistent queries. A query runs inside the transaction
// of every statement that appends to one of its sources: it moves the
// source rows after its saved offset into its sink and saves the new
// offset, in the same SQLite transaction as the append. So a query never
// loses nor repeats a row, across restarts too, and its results are
// visible as soon as the INSERT that caused them has returned. Queries
// run in creation order; a sink that is another query's source feeds it
// in the same transaction.

// maxCascade bounds how many rounds of query runs one statement causes.
const maxCascade = 32

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

// pplan is a persistent query's SELECT, planned over its source's log.
type pplan struct {
	p       *plan
	src     *relation
	grouped bool
	window  bool
	// keyLeftOut: a GROUP BY column is not selected, so results have no
	// key to be upserted by.
	keyLeftOut bool
	// others are the relations read besides src (a joined changelog).
	others []int64
	// keys are the output columns that identify a result row: the GROUP
	// BY columns, or a changelog source's primary key; nil for appends.
	keys []string
}

// persistPlan plans the SELECT of a persistent query; constructs it
// cannot run continuously are 0A000.
func (x *exec) persistPlan(s *selectStmt) (*pplan, error) {
	switch {
	case len(s.orderBy) > 0:
		return nil, unsupported("ORDER BY in a persistent query")
	case s.limit >= 0:
		return nil, unsupported("LIMIT in a persistent query")
	case s.distinct:
		return nil, unsupported("SELECT DISTINCT in a persistent query")
	case s.having != nil:
		return nil, unsupported("HAVING in a persistent query")
	}
	src, err := x.lookupRelation(s.from)
	if err != nil {
		return nil, err
	}
	switch {
	case src.system:
		return nil, unsupported("a persistent query over a system table")
	case src.typ == kindMaterializedView:
		return nil, unsupported("a persistent query over a materialized view")
	}
	if _, err := startEarliest(s.props); err != nil {
		return nil, err
	}
	pp := &pplan{src: src, grouped: len(s.groupBy) > 0 || hasAggregate(s), window: s.window != nil}
	if s.join != nil && pp.grouped {
		return nil, unsupported("an aggregation over a JOIN")
	}
	if pp.window && !pp.grouped {
		return nil, unsupported("a window without GROUP BY window_start, window_end")
	}
	switch {
	case pp.grouped && len(s.groupBy) == 0:
		return nil, unsupported("an aggregate without GROUP BY in a persistent query")
	case pp.grouped:
		for _, g := range s.groupBy {
			c, ok := g.(*colRef)
			if !ok {
				return nil, unsupported("GROUP BY an expression in a persistent query (group by columns)")
			}
			name := c.parts[len(c.parts)-1]
			if _, ok := selectedAs(s, "window_start"); ok && pp.window && name == "window_end" {
				continue // a window's end follows from its start
			}
			out, ok := selectedAs(s, name)
			if !ok {
				pp.keyLeftOut = true
				continue
			}
			pp.keys = append(pp.keys, out)
		}
	case src.typ == kindChangelog:
		for _, k := range src.pk {
			out, ok := selectedAs(s, k)
			if !ok {
				pp.keys = nil
				break
			}
			pp.keys = append(pp.keys, out)
		}
	}
	x.streaming, x.regroup = true, pp.grouped
	pp.p, err = x.plan(s)
	x.streaming, x.regroup = false, false
	if err == nil && pp.p.rel.join != nil {
		pp.others = []int64{pp.p.rel.join.c.id}
	}
	return pp, err
}

// selectedAs is the output name of source column name in the select
// list, when it is selected as is.
func selectedAs(s *selectStmt, name string) (string, bool) {
	for _, it := range s.items {
		if it.star {
			return name, true
		}
		if c, ok := it.e.(*colRef); ok && c.parts[len(c.parts)-1] == name {
			if it.alias != "" {
				return it.alias, true
			}
			return name, true
		}
	}
	return "", false
}

// checkSink refuses results a sink kind cannot hold.
func checkSink(kind objKind, pp *pplan) error {
	switch {
	case kind != kindStream && pp.keyLeftOut:
		return unsupported("a GROUP BY column that the select list leaves out, in a query into a " + typeWord(kind))
	case kind == kindStream && pp.grouped && !pp.window:
		return unsupported("an aggregation into a stream without a window (write it into a changelog or materialized view)")
	case kind == kindChangelog && len(pp.keys) == 0:
		return unsupported("a changelog query without GROUP BY over a stream (or over a changelog without selecting its primary key)")
	case kind != kindMaterializedView && pp.grouped && pp.src.typ == kindChangelog:
		return unsupported("an aggregation over a changelog into a " + typeWord(kind) + " (aggregate it into a materialized view)")
	case kind == kindMaterializedView && pp.src.typ == kindChangelog && len(pp.keys) == 0:
		return unsupported("a materialized view over a changelog that leaves out its primary key")
	}
	return nil
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

// runQueries runs the running persistent queries until none has new
// source rows, inside this statement's transaction.
func (x *exec) runQueries() error {
	if len(x.touched) == 0 {
		return nil
	}
	for range maxCascade {
		qs, err := x.loadQueries(`q.current_state = 'running'`)
		if err != nil {
			return err
		}
		moved := false
		for _, q := range qs {
			m, err := x.runQuery(q)
			if err != nil {
				return err
			}
			moved = moved || m
		}
		if !moved {
			return nil
		}
	}
	return nil
}

// runQuery moves the new rows of q's source into its sink. A failure of
// the query itself marks it errored and leaves the statement alone.
func (x *exec) runQuery(q *pquery) (bool, error) {
	// The driving sources are those with an offset: the stream read (and
	// the second stream of a stream-stream join); a joined changelog is
	// read as it is.
	var args []any
	var ends []int64
	moved := false
	for _, src := range q.sources {
		off, ok := q.offsets[offsetKey(src)]
		if !ok {
			continue
		}
		end, err := x.logEnd(src)
		if err != nil {
			return false, x.queryFailed(q, errors.New("its source was dropped"))
		}
		moved = moved || end > off
		args = append(args, off, end)
		ends = append(ends, end)
	}
	if !moved {
		return false, nil
	}
	if _, err := x.tx.ExecContext(x.ctx, `SAVEPOINT pq`); err != nil {
		return false, err
	}
	if err := x.moveRows(q, args); err != nil {
		if _, rerr := x.tx.ExecContext(x.ctx, `ROLLBACK TO pq`); rerr != nil {
			return false, rerr
		}
		if _, rerr := x.tx.ExecContext(x.ctx, `RELEASE pq`); rerr != nil {
			return false, rerr
		}
		return false, x.queryFailed(q, err)
	}
	i := 0
	for _, src := range q.sources {
		if _, ok := q.offsets[offsetKey(src)]; ok {
			q.offsets[offsetKey(src)] = ends[i]
			i++
		}
	}
	if err := x.saveOffsets(q); err != nil {
		return false, err
	}
	if _, err := x.tx.ExecContext(x.ctx, `RELEASE pq`); err != nil {
		return false, err
	}
	x.appended(q.sink)
	return true, nil
}

// queryFailed marks q errored with err's message.
func (x *exec) queryFailed(q *pquery, err error) error {
	msg := err.Error()
	var se *sqlError
	if errors.As(err, &se) {
		msg = se.msg
	}
	x.e.cfg.Logger.Warn("emulator: persistent query failed", "query", q.id, "err", msg)
	return x.setQueryState(q.id, queryRunning, queryErrored, &msg)
}

// moveRows writes the result of q over its source's log rows (lo, hi]
// (args holds lo, hi for each driving source) into its sink.
func (x *exec) moveRows(q *pquery, args []any) error {
	st, err := parse(q.selectText)
	if err != nil {
		return err
	}
	sel, ok := st.(*selectStmt)
	if !ok {
		return errors.New("the stored query is not a SELECT")
	}
	loc, err := time.LoadLocation(q.tz)
	if err != nil {
		loc = time.UTC
	}
	qx := &exec{e: x.e, tx: x.tx, ctx: x.ctx, now: x.now, text: q.selectText, touched: x.touched,
		sess: &session{role: q.owner, db: q.db, schema: q.schema, store: x.sess.store, pool: x.sess.pool, loc: loc, tz: q.tz}}
	sink, err := x.relationByID(q.sink)
	if err != nil {
		return err
	}
	if sink == nil {
		return errors.New("its sink was dropped")
	}
	if err := prepareEmit(sel, sink.typ); err != nil {
		return err
	}
	pp, err := qx.persistPlan(sel)
	if err != nil {
		return err
	}
	if pp.p.rel.window != nil && pp.p.rel.window.emit {
		return x.emitWindows(q, sink, pp, args[0].(int64), args[1].(int64))
	}
	return x.writeSink(sink, pp, args)
}

// writeSink appends (or upserts, for a keyed view) the plan's rows over
// the source log (lo, hi] to sink; a changelog sink's state follows.
func (x *exec) writeSink(sink *relation, pp *pplan, args []any) error {
	prev, err := x.logEnd(sink.id)
	if err != nil {
		return err
	}
	names := make([]string, len(sink.cols))
	for i := range names {
		names[i] = colName(i)
	}
	cols := strings.Join(names, ", ")
	if sink.typ == kindMaterializedView && len(sink.pk) > 0 {
		return x.upsertView(sink, pp, args)
	}
	if _, err := x.tx.ExecContext(x.ctx, "INSERT INTO "+logTable(sink.id)+" ("+cols+") "+pp.p.sql, args...); err != nil {
		return err
	}
	if err := x.stampAppended(sink, prev); err != nil {
		return err
	}
	if sink.typ != kindChangelog {
		return nil
	}
	_, err = x.tx.ExecContext(x.ctx, "INSERT OR REPLACE INTO "+stateTable(sink.id)+" (_seq, "+cols+") SELECT _seq, "+cols+" FROM "+logTable(sink.id)+" WHERE _seq > ? ORDER BY _seq", prev)
	return err
}

// hasStart reports whether WITH properties choose a starting position.
func hasStart(props []prop) bool {
	for _, p := range props {
		if k := strings.ToLower(p.key); k == "starting.position" || k == "from_beginning" {
			return true
		}
	}
	return false
}

// upsertView writes a keyed view: rows are updated in place by key, so a
// row keeps its place (its _seq) and a client paging through the view
// sees each key once. An aggregation over a changelog is recomputed as a
// whole, and groups that no longer exist are deleted.
func (x *exec) upsertView(sink *relation, pp *pplan, args []any) error {
	names := make([]string, len(sink.cols))
	set := make([]string, len(sink.cols))
	for i := range names {
		names[i] = colName(i)
		set[i] = names[i] + " = excluded." + names[i]
	}
	keys := make([]string, len(sink.pk))
	for i, k := range sink.pk {
		keys[i] = colName(sink.colIndex(k))
	}
	key := strings.Join(keys, ", ")
	q := "INSERT INTO " + logTable(sink.id) + " (" + strings.Join(names, ", ") + ") SELECT * FROM (" + pp.p.sql + ") WHERE true ON CONFLICT (" + key + ") DO UPDATE SET " + strings.Join(set, ", ")
	if _, err := x.tx.ExecContext(x.ctx, q, args...); err != nil {
		return err
	}
	if !pp.grouped || pp.src.typ != kindChangelog {
		return nil
	}
	outs := make([]string, len(sink.cols))
	for i := range outs {
		outs[i] = "_o" + strconv.Itoa(i)
	}
	outKeys := make([]string, len(sink.pk))
	for i, k := range sink.pk {
		outKeys[i] = outs[sink.colIndex(k)]
	}
	_, err := x.tx.ExecContext(x.ctx, "WITH _n("+strings.Join(outs, ", ")+") AS ("+pp.p.sql+") DELETE FROM "+logTable(sink.id)+" WHERE ("+key+") NOT IN (SELECT "+strings.Join(outKeys, ", ")+" FROM _n)", args...)
	return err
}

// stampAppended sets the insertion time of the rows a query appended to
// sink after offset prev: the time of the statement that caused them.
func (x *exec) stampAppended(sink *relation, prev int64) error {
	_, err := x.tx.ExecContext(x.ctx, "UPDATE "+logTable(sink.id)+" SET _ts = ? WHERE _seq > ?", x.now.UnixMilli(), prev)
	return err
}

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
