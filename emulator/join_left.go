package emulator

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Stream-stream LEFT JOIN ... WITHIN. Pairs come out as in the INNER
// join, when the later of their two rows is processed. A left row with no
// match comes out once, padded with NULLs on the right, at the end of
// the run in which the query's watermark passes its event time plus the
// WITHIN bound (the watermark: the highest event time the query has read
// on either stream, minus the allowed lateness). A left row that arrives
// with the watermark already past that point is decided in the run that
// reads it. Once a left row has come out padded, a right row that would
// match it and arrives later is not paired with it, so no left row ever
// has both a NULL-padded row and a match. The padded left rows are kept
// in ds_join_padded, written in the transaction that saves the offsets.
//
// Beyond the INNER join's ?1..?4 (the left log's offsets, the right
// log's), a run binds ?5, the watermark before the run, ?6, the watermark
// after it, ?7, the query's id, and ?8, the left offset the query started
// from: rows before it are partners for pairs but never come out padded.

// leftNotPadded is the left log up to ?2 without the rows already
// emitted padded.
func leftNotPadded(j *joinRel) string {
	return "(SELECT * FROM " + logTable(j.s.id) + " WHERE _seq <= ?2 AND _seq NOT IN (SELECT seq FROM ds_join_padded WHERE query_id = ?7))"
}

// leftPaddedWhere selects, over the left log _s, the rows this run emits
// padded: read by the query (after ?8, its first left offset) and passed
// by the watermark now (?6) and not before (?5), or read in this run; or
// read in this run without an event time (it can match nothing); and
// with no match among the right rows up to ?4.
func leftPaddedWhere(j *joinRel) string {
	due := "(" + eventTimeOn(j.s, "_s.") + ") + " + strconv.FormatInt(j.within, 10)
	return " WHERE _s._seq > ?8 AND _s._seq <= ?2 AND (" + due + " < ?6 AND (" + due + " >= ?5 OR _s._seq > ?1) OR " + due + " IS NULL AND _s._seq > ?1) AND NOT EXISTS (SELECT 1 FROM " +
		logTable(j.c.id) + " AS _c WHERE _c._seq <= ?4 AND " + withinOn(j) + ")"
}

// leftPaddedRows are the padded rows of a run, ordered before its pairs
// by their left row's offset.
func leftPaddedRows(j *joinRel) string {
	cols := []string{"-(1 << 62) + _s._seq AS _seq"}
	for i := range j.s.cols {
		cols = append(cols, "_s."+colName(i)+" AS "+colName(i))
	}
	for i := range j.c.cols {
		cols = append(cols, "NULL AS "+colName(len(j.s.cols)+i))
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + logTable(j.s.id) + " AS _s" + leftPaddedWhere(j)
}

// joinState is what a stream-stream LEFT JOIN remembers between runs.
type joinState struct {
	MaxEventTime *int64 `json:"maxEventTime,omitempty"`
	LeftFrom     *int64 `json:"leftFrom,omitempty"` // ?8
}

// leftJoinRun runs a stream-stream LEFT JOIN over the logs' (lo, hi]
// ranges in args into sink, records the left rows it padded and saves
// the watermark, all in the statement's transaction.
func (x *exec) leftJoinRun(q *pquery, sink *relation, pp *pplan, args []any) error {
	j := pp.p.rel.join
	var raw string
	if err := x.tx.QueryRowContext(x.ctx, `SELECT state FROM ds_query_runtime WHERE id = ?`, q.id).Scan(&raw); err != nil {
		return err
	}
	var st joinState
	_ = json.Unmarshal([]byte(raw), &st)
	if st.LeftFrom == nil {
		from := args[0].(int64)
		st.LeftFrom = &from
	}
	before, after := noWatermark, noWatermark
	if st.MaxEventTime != nil {
		before = *st.MaxEventTime - j.lateness
	}
	for i, r := range []*relation{j.s, j.c} {
		var m *int64
		if err := x.tx.QueryRowContext(x.ctx, "SELECT max("+eventTimeSQL(r)+") FROM "+logTable(r.id)+" WHERE _seq > ? AND _seq <= ?", args[2*i], args[2*i+1]).Scan(&m); err != nil {
			return err
		}
		if m != nil && (st.MaxEventTime == nil || *m > *st.MaxEventTime) {
			st.MaxEventTime = m
		}
	}
	if st.MaxEventTime != nil {
		after = *st.MaxEventTime - j.lateness
	}
	args = append(args[:4:4], before, after, q.id, *st.LeftFrom)
	if err := x.writeSink(sink, pp, args); err != nil {
		return err
	}
	if _, err := x.tx.ExecContext(x.ctx, "INSERT OR IGNORE INTO ds_join_padded (query_id, seq) SELECT ?7, _s._seq FROM "+logTable(j.s.id)+" AS _s"+leftPaddedWhere(j), args...); err != nil {
		return err
	}
	b, _ := json.Marshal(st)
	_, err := x.tx.ExecContext(x.ctx, `UPDATE ds_query_runtime SET state = ? WHERE id = ?`, string(b), q.id)
	return err
}
