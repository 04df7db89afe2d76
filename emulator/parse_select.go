package emulator

import (
	"strconv"
	"strings"
)

// selectStmt is a bounded SELECT over one relation.
type selectStmt struct {
	distinct  bool
	items     []selItem
	from      qname
	fromAlias string
	props     []prop
	where     expr
	groupBy   []expr
	having    expr
	orderBy   []orderItem
	limit     int64       // -1: none
	window    *windowSpec // FROM TUMBLE(...)/HOP(...) (window.go)
	join      *joinClause // [LEFT] JOIN ... ON ... (join.go)
}

type selItem struct {
	e     expr
	alias string
	star  bool
	pos   int
}

type orderItem struct {
	e    expr
	desc bool
}

// selectStmt parses SELECT ... FROM rel [WHERE] [GROUP BY] [HAVING]
// [ORDER BY] [LIMIT]. Constructs beyond that are 0A000.
func (p *parser) selectStmt() (*selectStmt, error) {
	if err := p.expect("select"); err != nil {
		return nil, err
	}
	s := &selectStmt{limit: -1}
	s.distinct = p.accept("distinct")
	for {
		t := p.peek()
		if t.isPunct("*") {
			p.i++
			s.items = append(s.items, selItem{star: true, pos: t.pos})
		} else {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			it := selItem{e: e, pos: t.pos}
			if p.accept("as") {
				if it.alias, err = p.ident(); err != nil {
					return nil, err
				}
			} else if n := p.peek(); n.kind == tokQuoted || n.kind == tokIdent && !reserved[n.text] {
				it.alias = n.text
				p.i++
			}
			s.items = append(s.items, it)
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	if p.peek().kind == tokEOF || p.peek().isPunct(")") {
		return s, nil // SELECT without FROM: one row of constants
	}
	if err := p.expect("from"); err != nil {
		return nil, err
	}
	t := p.peek()
	if t.isPunct("(") {
		return nil, unsupported("a subquery in FROM")
	}
	if t.kind == tokIdent && t.text == "cumulate" && p.peekAt(1).isPunct("(") {
		return nil, unsupported("CUMULATE windows")
	}
	var err error
	if t.kind == tokIdent && (t.text == "tumble" || t.text == "hop") && p.peekAt(1).isPunct("(") {
		err = p.windowFrom(s) // streaming (window.go)
	} else {
		s.from, err = p.name(3)
	}
	if err != nil {
		return nil, err
	}
	if p.peek().is("with") {
		if s.props, err = p.props(); err != nil {
			return nil, err
		}
	}
	if p.accept("as") {
		if s.fromAlias, err = p.ident(); err != nil {
			return nil, err
		}
	} else if n := p.peek(); n.kind == tokQuoted || n.kind == tokIdent && !reserved[n.text] {
		s.fromAlias = n.text
		p.i++
	}
	if p.peek().is("with") && s.props == nil {
		if s.props, err = p.props(); err != nil {
			return nil, err
		}
	}
	if err := p.joinClause(s); err != nil { // streaming (join.go)
		return nil, err
	}
	if p.accept("where") {
		if s.where, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.accept("group") {
		if err := p.expect("by"); err != nil {
			return nil, err
		}
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			s.groupBy = append(s.groupBy, e)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	if p.accept("having") {
		if s.having, err = p.expr(); err != nil {
			return nil, err
		}
	}
	if p.accept("order") {
		if err := p.expect("by"); err != nil {
			return nil, err
		}
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			it := orderItem{e: e}
			if p.accept("desc") {
				it.desc = true
			} else {
				p.accept("asc")
			}
			if p.peek().is("nulls") {
				return nil, unsupported("NULLS FIRST/LAST")
			}
			s.orderBy = append(s.orderBy, it)
			if !p.acceptPunct(",") {
				break
			}
		}
	}
	if p.accept("limit") {
		t := p.next()
		n, err := strconv.ParseInt(t.text, 10, 64)
		if t.kind != tokNumber || err != nil || n < 0 {
			return nil, p.errAt(t, "LIMIT needs a non-negative integer, found "+describeTok(t))
		}
		s.limit = n
	}
	if t := p.peek(); t.kind == tokIdent {
		switch t.text {
		case "union", "intersect", "except", "offset", "fetch", "emit", "window", "qualify":
			return nil, unsupported(strings.ToUpper(t.text))
		}
	}
	return s, nil
}

// refuseJoin names a join (part 2 of the emulator) as unsupported.
func (p *parser) refuseJoin() error {
	t := p.peek()
	switch {
	case t.isPunct(","):
		return unsupported("a join (several relations in FROM)")
	case t.kind == tokIdent:
		switch t.text {
		case "join", "inner", "left", "right", "full", "cross", "natural":
			return unsupported(strings.ToUpper(t.text) + " JOIN")
		}
	}
	return nil
}

// reserved are the words that end a select item or relation without AS.
var reserved = map[string]bool{
	"from": true, "where": true, "group": true, "having": true, "order": true, "limit": true,
	"join": true, "inner": true, "left": true, "right": true, "full": true, "cross": true,
	"natural": true, "on": true, "union": true, "intersect": true, "except": true, "with": true,
	"as": true, "and": true, "or": true, "not": true, "offset": true, "fetch": true, "emit": true,
	"window": true, "by": true, "asc": true, "desc": true, "when": true, "then": true, "else": true,
	"end": true, "is": true, "in": true, "like": true, "between": true, "qualify": true,
}
