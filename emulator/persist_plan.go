package emulator

import (
	"strings"
)

// Planning the SELECT of a persistent query.

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

// hasStart reports whether WITH properties choose a starting position.
func hasStart(props []prop) bool {
	for _, p := range props {
		if k := strings.ToLower(p.key); k == "starting.position" || k == "from_beginning" {
			return true
		}
	}
	return false
}
