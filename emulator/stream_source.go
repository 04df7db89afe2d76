package emulator

import (
	"strconv"
	"strings"
)

// appended records that this statement appended rows to relation id.
func (x *exec) appended(id int64) {
	if x.touched == nil {
		x.touched = map[int64]bool{}
	}
	x.touched[id] = true
}

// planSource is the FROM of a plan over r: its current contents, or in
// a streaming plan the part of its log the runtime asks for.
func (x *exec) planSource(r *relation) string {
	switch {
	case !x.streaming || r.system:
		return r.source
	case r.join != nil:
		return joinSource(r)
	case x.regroup && r.typ == kindChangelog:
		// The changelog's state as of ?2: the last version of each key.
		keys := make([]string, len(r.pk))
		for i, k := range r.pk {
			keys[i] = colName(r.colIndex(k))
		}
		return "(SELECT * FROM " + logTable(r.id) + " WHERE _seq IN (SELECT max(_seq) FROM " + logTable(r.id) + " WHERE _seq <= ?2 GROUP BY " + strings.Join(keys, ", ") + "))"
	case x.regroup && r.window != nil && !r.window.emit:
		// Only the windows of the new rows change, and their rows are at
		// most a window's size older than the oldest new row.
		et, log := eventTimeSQL(r), logTable(r.id)
		// (No bound on _seq: ?2 is the end of the log, and a bound would
		// steer SQLite away from the event-time index.)
		return windowSource(r, "(SELECT * FROM "+log+" WHERE "+et+" >= (SELECT min("+et+") FROM "+log+
			" WHERE _seq > ?1 AND _seq <= ?2) - "+strconv.FormatInt(r.window.size, 10)+")")
	case x.regroup:
		// The whole log (?2 is its end); the group filter picks the rows
		// of the changed groups through the group-key index.
		return windowOr(r, logTable(r.id))
	}
	return rangeSource(r)
}

// rangeSource is r's log rows (?1, ?2], windowed when r is.
func rangeSource(r *relation) string {
	return windowOr(r, "(SELECT * FROM "+logTable(r.id)+" WHERE _seq > ?1 AND _seq <= ?2)")
}

// windowOr is base seen through r's window, or base.
func windowOr(r *relation, base string) string {
	switch {
	case r.window == nil:
		return base
	case r.window.emit:
		return windowSource(r, emitBase(r))
	}
	return windowSource(r, base)
}

// groupFilter restricts a regrouping plan to the groups that rows after
// ?1 belong to; "" for other plans.
func (x *exec) groupFilter(r *relation, groups map[string]bool) string {
	if !x.streaming || !x.regroup || len(groups) == 0 || r.typ == kindChangelog || r.window != nil && r.window.emit {
		return ""
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	k := strings.Join(sortedStrings(keys), ", ")
	return "(" + k + ") IN (SELECT " + k + " FROM " + rangeSource(r) + " AS _r)"
}
