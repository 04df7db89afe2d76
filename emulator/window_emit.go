package emulator

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Windows into an append stream. The watermark of a query is the highest
// event time it has read minus the allowed lateness. After each run, the
// windows whose end the watermark has passed since the previous run are
// emitted once, in order of window end, with the rows that were not late:
// a row is late when, at its arrival (in insertion order), the watermark
// had already passed the end of its window; late rows are dropped.
//
// A run reads the source log (?1, ?2]; ?3 is the watermark before the
// run, ?4 after it.

// noWatermark is the watermark before any row: below every event time.
const noWatermark = -(int64(1) << 62)

// emitBase is the source log up to ?2 where each row after ?1 carries in
// _pm the highest event time of the rows before it in the run. Older rows
// matter only for windows still open: ending after ?3, so starting after
// ?3 minus the window's size.
func emitBase(r *relation) string {
	log := logTable(r.id)
	return "(SELECT *, max(" + eventTimeSQL(r) + ") OVER (ORDER BY _seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS _pm FROM " + log +
		" WHERE _seq > ?1 AND _seq <= ?2 UNION ALL SELECT *, NULL FROM " + log + " WHERE _seq <= ?1 AND " + eventTimeSQL(r) + " > ?3 - " + strconv.FormatInt(r.window.size, 10) + ")"
}

// emitFilter keeps the windows the run closes and drops late rows; ""
// when w does not emit.
func emitFilter(w *windowSpec) string {
	if !w.emit {
		return ""
	}
	end := "_ws + " + strconv.FormatInt(w.size, 10)
	late := strconv.FormatInt(w.lateness, 10)
	return " AND " + end + " > ?3 AND " + end + " <= ?4 AND (_seq <= ?1 OR " + end + " > max(?3, coalesce(_pm - " + late + ", ?3)))"
}

// prepareEmit marks sel's window as emitting when it writes into an
// append stream, with the allowed lateness of its WITH properties.
func prepareEmit(sel *selectStmt, sink objKind) error {
	if sel.window == nil || sink != kindStream {
		return nil
	}
	sel.window.emit = true
	var err error
	sel.window.lateness, err = allowedLateness(sel.props)
	return err
}

// allowedLateness is the 'allowed.lateness' of props (an emulator
// property, "<n> <unit>"); 0 without it.
func allowedLateness(props []prop) (int64, error) {
	var lateness int64
	for _, p := range props {
		if strings.ToLower(p.key) != "allowed.lateness" {
			continue
		}
		f := strings.Fields(strings.ToLower(p.value))
		if len(f) != 2 {
			return 0, errorf(stateInvalidParameter, "'allowed.lateness' = %s is not \"<n> <unit>\", e.g. '5 seconds'", quoteText(p.value))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		ms, ok := intervalUnits[strings.TrimSuffix(f[1], "s")]
		if err != nil || n < 0 || n > 1<<40 || !ok {
			return 0, errorf(stateInvalidParameter, "'allowed.lateness' = %s is not \"<n> <unit>\", e.g. '5 seconds'", quoteText(p.value))
		}
		lateness = n * ms
	}
	return lateness, nil
}

// emitState is what an emitting query remembers between runs.
type emitState struct {
	MaxEventTime *int64 `json:"maxEventTime,omitempty"`
}

// emitWindows runs an emitting plan over the source log (lo, hi] into
// sink and saves the query's highest event time.
func (x *exec) emitWindows(q *pquery, sink *relation, pp *pplan, lo, hi int64) error {
	w := pp.p.rel.window
	var raw string
	if err := x.tx.QueryRowContext(x.ctx, `SELECT state FROM ds_query_runtime WHERE id = ?`, q.id).Scan(&raw); err != nil {
		return err
	}
	var st emitState
	_ = json.Unmarshal([]byte(raw), &st)
	var batchMax *int64
	if err := x.tx.QueryRowContext(x.ctx, "SELECT max("+eventTimeSQL(pp.p.rel)+") FROM "+logTable(pp.src.id)+" WHERE _seq > ? AND _seq <= ?", lo, hi).Scan(&batchMax); err != nil {
		return err
	}
	before, after := noWatermark, noWatermark
	if st.MaxEventTime != nil {
		before = *st.MaxEventTime - w.lateness
	}
	if batchMax != nil && (st.MaxEventTime == nil || *batchMax > *st.MaxEventTime) {
		st.MaxEventTime = batchMax
	}
	if st.MaxEventTime != nil {
		after = *st.MaxEventTime - w.lateness
	}
	if after > before {
		prev, err := x.logEnd(sink.id)
		if err != nil {
			return err
		}
		names := make([]string, len(sink.cols))
		for i := range names {
			names[i] = colName(i)
		}
		var order []string
		for _, k := range append([]string{"window_end", "window_start"}, pp.keys...) {
			for i, c := range pp.p.cols {
				if c.Name == k {
					order = append(order, strconv.Itoa(i+1))
				}
			}
		}
		q := "INSERT INTO " + logTable(sink.id) + " (" + strings.Join(names, ", ") + ") SELECT * FROM (" + pp.p.sql + ")"
		if len(order) > 0 {
			q += " ORDER BY " + strings.Join(order, ", ")
		}
		if _, err := x.tx.ExecContext(x.ctx, q, lo, hi, before, after); err != nil {
			return err
		}
		if err := x.stampAppended(sink, prev); err != nil {
			return err
		}
	}
	b, _ := json.Marshal(st)
	_, err := x.tx.ExecContext(x.ctx, `UPDATE ds_query_runtime SET state = ? WHERE id = ?`, string(b), q.id)
	return err
}
