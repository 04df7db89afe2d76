package emulator

import (
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// plan is a SELECT translated to SQLite.
type plan struct {
	rel   *relation
	sql   string
	cols  []wire.Column
	types []*types.Type
	// simple plans (no grouping, DISTINCT, ORDER BY or LIMIT) read the
	// rows in _seq order and can be paged by _seq: SELECT list, WHERE.
	simple           bool
	selectSQL, where string
}

// plan translates a bounded SELECT over a changelog, materialized view or
// system table. Anything it cannot translate exactly is 0A000.
func (x *exec) plan(s *selectStmt) (*plan, error) {
	var r *relation
	if len(s.from.parts) == 0 {
		r = &relation{name: "", source: "(SELECT 1)", system: true}
	} else {
		var err error
		if r, err = x.lookupRelation(s.from); err != nil {
			return nil, err
		}
		if r, err = x.streamRelation(r, s); err != nil { // streaming (window.go, join.go)
			return nil, err
		}
	}
	if r.typ == kindStream && !x.streaming {
		return nil, unsupported("a SELECT over the stream " + fqn(r.path()...) + " (a continuous query; the emulator runs bounded SELECTs over changelogs, materialized views and system tables)")
	}
	sc := &scope{x: x, r: r, names: map[string]bool{}, aliases: map[string]typed{}}
	sc.names[r.name] = true
	sc.names[r.schema+"."+r.name] = true
	sc.names[r.db+"."+r.schema+"."+r.name] = true
	if s.fromAlias != "" {
		sc.names = map[string]bool{s.fromAlias: true}
	}
	sc.grouped = len(s.groupBy) > 0 || s.having != nil || hasAggregate(s)
	if sc.grouped {
		sc.groups = map[string]bool{}
		for _, g := range s.groupBy {
			if l, ok := g.(*literal); ok && l.kind == litNumber {
				return nil, unsupported("GROUP BY a position or constant")
			}
			sc.grouped = false // GROUP BY items are plain expressions
			t, err := sc.tr(g)
			sc.grouped = true
			if err != nil {
				return nil, err
			}
			if t.agg {
				return nil, errorf(stateGrouping, "GROUP BY cannot hold an aggregate function")
			}
			sc.groups[t.sql] = true
		}
	}
	p := &plan{rel: r}
	var sel []string
	for i, it := range s.items {
		if it.star {
			if sc.grouped {
				return nil, errorf(stateGrouping, "SELECT * cannot be used with GROUP BY or aggregates")
			}
			for j, c := range r.cols {
				sel = append(sel, "_r."+colName(j))
				p.cols = append(p.cols, col(c.Name, c.Type, !c.NotNull))
				p.types = append(p.types, c.t)
			}
			continue
		}
		t, err := sc.trGrouped(it.e)
		if err != nil {
			return nil, err
		}
		name := it.alias
		if name == "" {
			if c, ok := it.e.(*colRef); ok {
				name = c.parts[len(c.parts)-1]
			} else {
				name = "EXPR$" + strconv.Itoa(i)
			}
		}
		if t.t == nil {
			return nil, unsupported("a NULL without a type in the select list (write CAST(NULL AS type))")
		}
		sel = append(sel, t.sql)
		p.cols = append(p.cols, col(name, t.t.String(), !t.notNull))
		p.types = append(p.types, t.t)
		if it.alias != "" {
			sc.aliases[it.alias] = t
		}
	}
	if len(sel) == 0 {
		return nil, errorf(stateSyntax, "SELECT * needs a FROM clause")
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	if s.distinct {
		b.WriteString("DISTINCT ")
	}
	b.WriteString(strings.Join(sel, ", "))
	b.WriteString(" FROM " + x.planSource(r) + " AS _r")
	if s.where != nil {
		g, aliases := sc.grouped, sc.aliases
		sc.grouped, sc.aliases = false, nil // WHERE sees columns, not select aliases
		w, err := sc.tr(s.where)
		sc.grouped, sc.aliases = g, aliases
		if err != nil {
			return nil, err
		}
		if hasAgg(s.where) {
			return nil, errorf(stateGrouping, "aggregate functions are not allowed in WHERE; use HAVING")
		}
		if err := wantBool(w, "WHERE"); err != nil {
			return nil, err
		}
		b.WriteString(" WHERE (" + w.sql + ")")
		p.where = w.sql
	}
	if f := x.groupFilter(r, sc.groups); f != "" { // streaming aggregation (runtime.go)
		if s.where != nil {
			b.WriteString(" AND " + f)
		} else {
			b.WriteString(" WHERE " + f)
		}
	}
	if len(s.groupBy) > 0 {
		keys := make([]string, 0, len(s.groupBy))
		for k := range sc.groups {
			keys = append(keys, k)
		}
		b.WriteString(" GROUP BY " + strings.Join(sortedStrings(keys), ", "))
	}
	if s.having != nil {
		h, err := sc.trGrouped(s.having)
		if err != nil {
			return nil, err
		}
		if err := wantBool(h, "HAVING"); err != nil {
			return nil, err
		}
		b.WriteString(" HAVING " + h.sql)
	}
	var order []string
	for _, o := range s.orderBy {
		var t typed
		var err error
		if l, ok := o.e.(*literal); ok && l.kind == litNumber {
			// ORDER BY n names the n-th column of the select list.
			n, perr := strconv.Atoi(l.text)
			if perr != nil || n < 1 || n > len(sel) {
				return nil, errorf(stateSyntax, "ORDER BY position %s is not between 1 and %d", l.text, len(sel))
			}
			t = typed{sql: strconv.Itoa(n), t: p.types[n-1]}
		} else if c, ok := o.e.(*colRef); ok && len(c.parts) == 1 && hasAlias(sc, c.parts[0]) {
			t = sc.aliases[c.parts[0]] // a select alias wins over a column, as in Flink
		} else if t, err = sc.trGrouped(o.e); err != nil {
			return nil, err
		}
		if t.t != nil && !orderable(t.t) {
			return nil, unsupported("ORDER BY a value of type " + t.t.String())
		}
		// Flink sorts NULL as the largest value.
		if o.desc {
			order = append(order, t.sql+" DESC NULLS FIRST")
		} else {
			order = append(order, t.sql+" ASC NULLS LAST")
		}
	}
	if len(order) == 0 && !sc.grouped && !s.distinct && !r.system {
		order = append(order, "_r._seq")
		p.simple = s.limit < 0
		p.selectSQL = strings.Join(sel, ", ")
	}
	if len(order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(order, ", "))
	}
	if s.limit >= 0 {
		b.WriteString(" LIMIT " + strconv.FormatInt(s.limit, 10))
	}
	p.sql = b.String()
	return p, nil
}

// trGrouped translates an expression of the select list, HAVING or ORDER
// BY: in a grouped query, a GROUP BY expression counts as a value.
func (sc *scope) trGrouped(e expr) (typed, error) {
	if sc.grouped {
		g := sc.grouped
		sc.grouped = false
		t, err := sc.tr(e)
		sc.grouped = g
		if err == nil && sc.groups[t.sql] {
			return t, nil
		}
	}
	return sc.tr(e)
}

func orderable(t *types.Type) bool {
	switch t.Kind() {
	case types.KindArray, types.KindMap, types.KindStruct:
		return false
	}
	return true
}

func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

// hasAggregate reports whether the select list or ORDER BY uses an
// aggregate function.
func hasAggregate(s *selectStmt) bool {
	for _, it := range s.items {
		if it.e != nil && hasAgg(it.e) {
			return true
		}
	}
	for _, o := range s.orderBy {
		if hasAgg(o.e) {
			return true
		}
	}
	return false
}

// hasAgg reports whether e calls an aggregate function.
func hasAgg(e expr) bool {
	found := false
	walk(e, func(e expr) {
		if c, ok := e.(*callExpr); ok && aggregates[c.name] {
			found = true
		}
	})
	return found
}

// walk calls f on e and every sub-expression.
func walk(e expr, f func(expr)) {
	if e == nil {
		return
	}
	f(e)
	switch e := e.(type) {
	case *unaryExpr:
		walk(e.x, f)
	case *binaryExpr:
		walk(e.l, f)
		walk(e.r, f)
	case *callExpr:
		for _, a := range e.args {
			walk(a, f)
		}
	case *caseExpr:
		walk(e.operand, f)
		for i := range e.whens {
			walk(e.whens[i], f)
			walk(e.thens[i], f)
		}
		walk(e.els, f)
	case *castExpr:
		walk(e.x, f)
	case *isNullExpr:
		walk(e.x, f)
	case *betweenExpr:
		walk(e.x, f)
		walk(e.lo, f)
		walk(e.hi, f)
	case *inExpr:
		walk(e.x, f)
		for _, a := range e.list {
			walk(a, f)
		}
	case *likeExpr:
		walk(e.x, f)
		walk(e.pattern, f)
	case *ctorExpr:
		for _, a := range e.elems {
			walk(a, f)
		}
	}
}

// createView runs CREATE MATERIALIZED VIEW v AS SELECT: the SELECT is
// evaluated once, at creation, and its rows become the view's contents
// (the streaming emulator will keep views up to date).
func (x *exec) createView(s *createStmt, r *relation) (*result, error) {
	p, err := x.plan(s.asSelect)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, c := range p.cols {
		if seen[c.Name] {
			return nil, errorf(stateSyntax, "the view would have two columns named %s; name them with AS", quoteText(c.Name))
		}
		seen[c.Name] = true
		r.cols = append(r.cols, column{Name: c.Name, Type: c.Type, NotNull: !c.IsNullable(), t: p.types[i]})
	}
	r.store = x.sess.store
	if err := x.insertRelation(r, s.selectText); err != nil {
		return nil, err
	}
	names := make([]string, len(r.cols))
	for i := range r.cols {
		names[i] = colName(i)
	}
	if _, err := x.tx.ExecContext(x.ctx, "INSERT INTO "+logTable(r.id)+" ("+strings.Join(names, ", ")+") "+p.sql); err != nil {
		return nil, err
	}
	path := r.path()
	return commandResult(kindMaterializedView, "CREATE", created(kindMaterializedView, path...), path...), nil
}

func hasAlias(sc *scope, name string) bool {
	_, ok := sc.aliases[name]
	return ok
}
