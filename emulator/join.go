package emulator

import (
	"strconv"
	"strings"
)

// stateAmbiguousColumn is the SQL state of a column name both sides of a
// join have.
const stateAmbiguousColumn = "42702"

// joinClause is [INNER | LEFT [OUTER]] JOIN rel [AS alias] ON cond.
type joinClause struct {
	left   bool
	within int64 // WITHIN, in milliseconds; -1 without
	rel    qname
	alias  string
	props  []prop
	on     expr
}

// joinClause parses the join after the first relation of FROM, if any;
// joins the emulator does not run are 0A000.
func (p *parser) joinClause(s *selectStmt) error {
	t := p.peek()
	jc := &joinClause{within: -1}
	switch {
	case t.is("join"):
		p.i++
	case t.is("inner") && p.peekAt(1).is("join"):
		p.i += 2
	case t.is("left") && (p.peekAt(1).is("join") || p.peekAt(1).is("outer")):
		p.i++
		p.accept("outer")
		if err := p.expect("join"); err != nil {
			return err
		}
		jc.left = true
	default:
		return p.refuseJoin()
	}
	var err error
	if jc.rel, err = p.name(3); err != nil {
		return err
	}
	if p.peek().is("with") {
		if jc.props, err = p.props(); err != nil {
			return err
		}
	}
	if err := p.within(jc); err != nil {
		return err
	}
	if p.accept("as") {
		if jc.alias, err = p.ident(); err != nil {
			return err
		}
	} else if n := p.peek(); n.kind == tokQuoted || n.kind == tokIdent && !reserved[n.text] && n.text != "within" {
		jc.alias = n.text
		p.i++
	}
	if p.peek().is("with") && jc.props == nil {
		if jc.props, err = p.props(); err != nil {
			return err
		}
	}
	if err := p.within(jc); err != nil {
		return err
	}
	if err := p.expect("on"); err != nil {
		return err
	}
	if jc.on, err = p.expr(); err != nil {
		return err
	}
	if err := p.within(jc); err != nil {
		return err
	}
	if n := p.peek(); n.kind == tokIdent && (n.text == "join" || n.text == "inner" || n.text == "left" || n.text == "right" || n.text == "full" || n.text == "cross") {
		return unsupported("a join of more than two relations")
	}
	s.join = jc
	return nil
}

// within parses WITHIN n unit, once, where it may appear.
func (p *parser) within(jc *joinClause) error {
	if !p.peek().is("within") {
		return nil
	}
	t := p.next()
	if jc.within >= 0 {
		return p.errAt(t, "WITHIN is given twice")
	}
	var err error
	jc.within, err = p.interval()
	return err
}

// joinRel is a stream joined to the current state of a changelog, or to
// another stream WITHIN an interval of event time.
type joinRel struct {
	left           bool
	within         int64 // -1: a changelog join
	lateness       int64 // allowed lateness of a stream-stream LEFT JOIN's watermark
	s, c           *relation
	sNames, cNames map[string]bool // qualifiers naming each side
	on             string          // the ON condition over _s and _c
	onMode         bool            // translating ON: columns as _s.cN / _c.cN
}

// relNames are the qualifiers that name r in FROM.
func relNames(r *relation, alias string) map[string]bool {
	if alias != "" {
		return map[string]bool{alias: true}
	}
	return map[string]bool{r.name: true, r.schema + "." + r.name: true, r.db + "." + r.schema + "." + r.name: true}
}

// streamRelation is what a streaming plan reads for s's FROM: r, r
// through a window, or r joined to a changelog.
func (x *exec) streamRelation(r *relation, s *selectStmt) (*relation, error) {
	if s.join == nil {
		return x.windowed(r, s)
	}
	switch {
	case !x.streaming:
		return nil, unsupported("JOIN outside a persistent query (CREATE STREAM ... AS SELECT ... JOIN ...)")
	case s.window != nil:
		return nil, unsupported("a window over a JOIN")
	case r.system || r.typ != kindStream:
		return nil, unsupported("a JOIN whose left side is a " + typeWord(r.typ) + " (the emulator joins a stream to a changelog)")
	}
	c, err := x.lookupRelation(s.join.rel)
	if err != nil {
		return nil, err
	}
	switch {
	case c.typ == kindStream && s.join.within < 0:
		return nil, unsupported("a stream-stream JOIN without WITHIN")
	case c.typ == kindChangelog && s.join.within >= 0:
		return nil, unsupported("WITHIN in a stream-changelog JOIN")
	case c.system || c.typ != kindChangelog && c.typ != kindStream:
		return nil, unsupported("a JOIN with a " + typeWord(c.typ))
	}
	j := &joinRel{left: s.join.left, within: s.join.within, s: r, c: c, sNames: relNames(r, s.fromAlias), cNames: relNames(c, s.join.alias)}
	if j.left && j.within >= 0 {
		if j.lateness, err = allowedLateness(append(append([]prop(nil), s.props...), s.join.props...)); err != nil {
			return nil, err
		}
	}
	comb := *r
	comb.cols = append(append([]column(nil), r.cols...), c.cols...)
	comb.join = j
	sc := &scope{x: x, r: &comb, names: map[string]bool{}, aliases: map[string]typed{}}
	j.onMode = true
	on, err := sc.tr(s.join.on)
	j.onMode = false
	if err != nil {
		return nil, err
	}
	if hasAgg(s.join.on) {
		return nil, errorf(stateGrouping, "aggregate functions are not allowed in ON")
	}
	if err := wantBool(on, "ON"); err != nil {
		return nil, err
	}
	j.on = on.sql
	return &comb, nil
}

// joinColumn resolves a column of a joined relation.
func (sc *scope) joinColumn(c *colRef) (typed, error) {
	j := sc.r.join
	name := c.parts[len(c.parts)-1]
	si, ci := j.s.colIndex(name), j.c.colIndex(name)
	if len(c.parts) > 1 {
		q := strings.Join(c.parts[:len(c.parts)-1], ".")
		switch {
		case j.sNames[q]:
			ci = -1
		case j.cNames[q]:
			si = -1
		default:
			return typed{}, errorf(stateUndefinedColumn, "%s does not name a relation in FROM", quoteText(q))
		}
	}
	switch {
	case si >= 0 && ci >= 0:
		return typed{}, errorf(stateAmbiguousColumn, "column %s is in both joined relations; qualify it", quoteText(name))
	case si >= 0:
		col := j.s.cols[si]
		sql := "_r." + colName(si)
		if j.onMode {
			sql = "_s." + colName(si)
		}
		return typed{sql: sql, t: col.t, notNull: col.NotNull}, nil
	case ci >= 0:
		col := j.c.cols[ci]
		sql := "_r." + colName(len(j.s.cols)+ci)
		if j.onMode {
			sql = "_c." + colName(ci)
		}
		return typed{sql: sql, t: col.t, notNull: col.NotNull && !j.left}, nil
	}
	if a, ok := sc.aliases[name]; ok && len(c.parts) == 1 {
		return a, nil
	}
	return typed{}, errorf(stateUndefinedColumn, "column %s does not exist in %s or %s", quoteText(name), fqn(j.s.path()...), fqn(j.c.path()...))
}

// joinSource is the FROM of a joined relation: the stream's log rows
// (?1, ?2], each with the changelog row current now that matches ON (a
// processing-time temporal join).
func joinSource(r *relation) string {
	j := r.join
	cols := []string{"_s._seq AS _seq"}
	for i := range j.s.cols {
		cols = append(cols, "_s."+colName(i)+" AS "+colName(i))
	}
	for i := range j.c.cols {
		cols = append(cols, "_c."+colName(i)+" AS "+colName(len(j.s.cols)+i))
	}
	kind := " JOIN "
	if j.left {
		kind = " LEFT JOIN "
	}
	if j.within < 0 {
		return "(SELECT " + strings.Join(cols, ", ") + " FROM (SELECT * FROM " + logTable(j.s.id) + " WHERE _seq > ?1 AND _seq <= ?2) AS _s" +
			kind + stateTable(j.c.id) + " AS _c ON " + j.on + ")"
	}
	// Two streams: the new left rows meet the right rows read before, then
	// the new right rows meet every left row up to now, so each pair
	// comes out once, when the later of its rows is processed. ?1, ?2 are
	// the left log's offsets, ?3, ?4 the right's.
	on := withinOn(j)
	// _seq orders the pairs by the later row, then by the other row
	// (offsets below 2^31).
	rest := strings.Join(cols[1:], ", ")
	left := "(SELECT * FROM " + logTable(j.s.id) + " WHERE _seq <= ?2)"
	if j.left {
		left = leftNotPadded(j)
	}
	src := "(SELECT (_s._seq << 31) + _c._seq AS _seq, " + rest + " FROM (SELECT * FROM " + logTable(j.s.id) + " WHERE _seq > ?1 AND _seq <= ?2) AS _s JOIN (SELECT * FROM " +
		logTable(j.c.id) + " WHERE _seq <= ?3) AS _c ON " + on +
		" UNION ALL SELECT (1 << 62) + (_c._seq << 31) + _s._seq AS _seq, " + rest + " FROM " + left + " AS _s JOIN (SELECT * FROM " +
		logTable(j.c.id) + " WHERE _seq > ?3 AND _seq <= ?4) AS _c ON " + on
	if j.left {
		src += " UNION ALL " + leftPaddedRows(j)
	}
	return src + ")"
}

// withinOn is the ON condition of a stream-stream join over _s and _c,
// with the WITHIN bound on their event times.
func withinOn(j *joinRel) string {
	return j.on + " AND abs((" + eventTimeOn(j.s, "_s.") + ") - (" + eventTimeOn(j.c, "_c.") + ")) <= " + strconv.FormatInt(j.within, 10)
}
