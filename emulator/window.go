package emulator

import (
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

// windowSpec is FROM TUMBLE(rel, SIZE n unit) or HOP(rel, SIZE n unit,
// ADVANCE BY m unit); sizes in milliseconds.
type windowSpec struct {
	kind          string // "tumble" or "hop"
	size, advance int64
	// emit makes a streaming plan emit the windows that the watermark
	// closes (for an append sink; window_emit.go), lateness is the allowed
	// lateness in milliseconds.
	emit     bool
	lateness int64
}

// windowFrom parses TUMBLE(...) or HOP(...) in FROM.
func (p *parser) windowFrom(s *selectStmt) error {
	w := &windowSpec{kind: p.next().text}
	if err := p.expectPunct("("); err != nil {
		return err
	}
	var err error
	if s.from, err = p.name(3); err != nil {
		return err
	}
	if err := p.expectPunct(","); err != nil {
		return err
	}
	if err := p.expect("size"); err != nil {
		return err
	}
	if w.size, err = p.interval(); err != nil {
		return err
	}
	w.advance = w.size
	if w.kind == "hop" {
		if err := p.expectPunct(","); err != nil {
			return err
		}
		if err := p.expect("advance"); err != nil {
			return err
		}
		if err := p.expect("by"); err != nil {
			return err
		}
		if w.advance, err = p.interval(); err != nil {
			return err
		}
		if w.advance > w.size {
			return errorf(stateInvalidParameter, "HOP advances by more than its size; rows between windows would be lost")
		}
		if w.size/w.advance > maxHopWindows {
			return errorf(stateInvalidParameter, "HOP puts each row in more than %d windows; advance by at least 1/%d of the size", maxHopWindows, maxHopWindows)
		}
	}
	s.window = w
	return p.expectPunct(")")
}

// intervalUnits are the units of a window size, in milliseconds.
var intervalUnits = map[string]int64{
	"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
}

// interval parses "n unit" into milliseconds.
func (p *parser) interval() (int64, error) {
	t := p.next()
	n, err := strconv.ParseInt(t.text, 10, 64)
	if t.kind != tokNumber || err != nil || n <= 0 || n > 1<<40 {
		return 0, p.errAt(t, "expected a positive whole number of a window size, found "+describeTok(t))
	}
	u := p.next()
	ms, ok := intervalUnits[strings.TrimSuffix(u.text, "s")]
	if u.kind != tokIdent || !ok {
		return 0, p.errAt(u, "expected MILLISECOND, SECOND, MINUTE, HOUR or DAY, found "+describeTok(u))
	}
	if n > maxWindowMillis/ms {
		return 0, p.errAt(t, "window size over 100 years")
	}
	return n * ms, nil
}

// maxWindowMillis bounds a window size (100 years), so that sizes cannot
// overflow; maxHopWindows bounds how many windows one row falls in.
const (
	maxWindowMillis = 100 * 366 * 86_400_000
	maxHopWindows   = 10_000
)

var tWindowTime = parseType("TIMESTAMP(3)")

// windowed is r seen through the window of s, with window_start and
// window_end appended to its columns; r itself without a window.
func (x *exec) windowed(r *relation, s *selectStmt) (*relation, error) {
	if s.window == nil {
		return r, nil
	}
	if !x.streaming {
		return nil, unsupported(strings.ToUpper(s.window.kind) + " outside a persistent query (create a changelog or materialized view with it)")
	}
	if r.typ != kindStream {
		return nil, unsupported(strings.ToUpper(s.window.kind) + " over a " + typeWord(r.typ) + " (windows apply to streams)")
	}
	w := *r
	w.cols = append(append([]column(nil), r.cols...),
		column{Name: "window_start", Type: tWindowTime.String(), NotNull: true, t: tWindowTime},
		column{Name: "window_end", Type: tWindowTime.String(), NotNull: true, t: tWindowTime})
	w.window = s.window
	return &w, nil
}

// eventTimeSQL is the event time of a log row in milliseconds since the
// epoch: the 'timestamp' column, a BIGINT of milliseconds or a
// TIMESTAMP; else the time the row was inserted (appended by a query).
func eventTimeSQL(r *relation) string { return eventTimeOn(r, "") }

// eventTimeOn is eventTimeSQL with the log's columns qualified by prefix.
func eventTimeOn(r *relation, prefix string) string {
	if r.props["timestamp"] == "" {
		return prefix + "_ts" // the insertion time, on the emulator's clock
	}
	i := r.colIndex(r.props["timestamp"])
	c := prefix + colName(i)
	if r.cols[i].t.Kind() == types.KindBigInt {
		return c
	}
	return "CAST(round((julianday(" + c + ") - 2440587.5) * 86400000) AS INTEGER)"
}

// msTimestamp is the stored TIMESTAMP text of a millisecond expression.
func msTimestamp(ms string) string {
	return "(strftime('%Y-%m-%d %H:%M:%f', (" + ms + ") / 1000.0, 'unixepoch') || '000000')"
}

// windowSource is the FROM of a windowed relation over base (a subquery
// of its log rows): one row per row and window, with window_start and
// window_end as the two columns after the relation's own. Rows whose
// event time is NULL belong to no window.
func windowSource(r *relation, base string) string {
	n := len(r.cols) - 2
	w := r.window
	size, adv := strconv.FormatInt(w.size, 10), strconv.FormatInt(w.advance, 10)
	et := "(SELECT *, " + eventTimeSQL(r) + " AS _et FROM " + base + ")"
	var ws string
	if w.kind == "tumble" {
		ws = "(SELECT *, (_et - (_et % " + size + ")) AS _ws FROM " + et + " WHERE _et IS NOT NULL)"
	} else {
		k := strconv.FormatInt((w.size+w.advance-1)/w.advance, 10)
		ws = "(SELECT e.*, (e._et / " + adv + ") * " + adv + " - k.k * " + adv + " AS _ws FROM " + et +
			" AS e, (WITH RECURSIVE k(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM k WHERE k + 1 < " + k + ") SELECT k FROM k) AS k WHERE e._et IS NOT NULL)"
	}
	return "(SELECT *, " + msTimestamp("_ws") + " AS " + colName(n) + ", " + msTimestamp("_ws + "+size) + " AS " + colName(n+1) +
		" FROM " + ws + " WHERE _ws + " + size + " > _et" + emitFilter(w) + ")"
}

// indexEventTime indexes r's log by event time, for the windows of a
// query over it.
func (x *exec) indexEventTime(r *relation) error {
	_, err := x.tx.ExecContext(x.ctx, "CREATE INDEX IF NOT EXISTS "+logTable(r.id)+"_et ON "+logTable(r.id)+" ("+eventTimeSQL(r)+")")
	return err
}
