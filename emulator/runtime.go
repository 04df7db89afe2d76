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
	if j := pp.p.rel.join; j != nil && j.left && j.within >= 0 {
		return x.leftJoinRun(q, sink, pp, args)
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
