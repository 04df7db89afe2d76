package emulator

import "strings"

// expr is a parsed SQL expression of a SELECT or a VALUES row.
type expr interface{ at() int }

type (
	colRef struct {
		parts []string
		pos   int
	}
	literal struct {
		kind litKind
		text string // unescaped string, number text, or "true"/"false"
		typ  string // DATE/TIME/TIMESTAMP/TIMESTAMP_LTZ of a typed literal
		pos  int
	}
	unaryExpr struct {
		op  string // "-", "not"
		x   expr
		pos int
	}
	binaryExpr struct {
		op   string // lower-case: and, or, =, <>, <, <=, >, >=, +, -, *, /, %, ||
		l, r expr
		pos  int
	}
	callExpr struct {
		name     string
		args     []expr
		star     bool // COUNT(*)
		distinct bool
		pos      int
	}
	caseExpr struct {
		operand      expr
		whens, thens []expr
		els          expr
		pos          int
	}
	castExpr struct {
		x   expr
		typ string
		pos int
	}
	isNullExpr struct {
		x   expr
		not bool
		pos int
	}
	betweenExpr struct {
		x, lo, hi expr
		not       bool
		pos       int
	}
	inExpr struct {
		x    expr
		list []expr
		not  bool
		pos  int
	}
	likeExpr struct {
		x, pattern expr
		not        bool
		pos        int
	}
	// ctorExpr is ARRAY[...] or MAP[k, v, ...].
	ctorExpr struct {
		kind  string // "array" or "map"
		elems []expr
		pos   int
	}
)

type litKind uint8

const (
	litNull litKind = iota
	litBool
	litNumber
	litString
	litTyped
)

func (e *colRef) at() int      { return e.pos }
func (e *literal) at() int     { return e.pos }
func (e *unaryExpr) at() int   { return e.pos }
func (e *binaryExpr) at() int  { return e.pos }
func (e *callExpr) at() int    { return e.pos }
func (e *caseExpr) at() int    { return e.pos }
func (e *castExpr) at() int    { return e.pos }
func (e *isNullExpr) at() int  { return e.pos }
func (e *betweenExpr) at() int { return e.pos }
func (e *inExpr) at() int      { return e.pos }
func (e *likeExpr) at() int    { return e.pos }
func (e *ctorExpr) at() int    { return e.pos }

// maxExprDepth bounds the depth of an expression tree, counting both
// nesting (parentheses, unary operators) and each operator of a chain such
// as a+b+c (which builds a left-deep tree), so that hostile input cannot
// exhaust the stack of the parser, the planner or SQLite (whose own limit
// is 1000).
const maxExprDepth = 200

// deeper counts one more level of the expression tree at operator t.
func (p *parser) deeper(d *int, t token) error {
	*d++
	if *d > maxExprDepth {
		return p.errAt(t, "expression nested too deeply")
	}
	return nil
}

// expr parses an expression.
func (p *parser) expr() (expr, error) { return p.exprDepth(0) }

func (p *parser) exprDepth(d int) (expr, error) {
	if d > maxExprDepth {
		return nil, p.errAt(p.peek(), "expression nested too deeply")
	}
	return p.or(d + 1)
}

func (p *parser) or(d int) (expr, error) {
	l, err := p.and(d)
	for err == nil && p.peek().is("or") {
		t := p.next()
		var r expr
		if err = p.deeper(&d, t); err != nil {
			break
		}
		if r, err = p.and(d); err == nil {
			l = &binaryExpr{op: "or", l: l, r: r, pos: t.pos}
		}
	}
	return l, err
}

func (p *parser) and(d int) (expr, error) {
	l, err := p.not(d)
	for err == nil && p.peek().is("and") {
		t := p.next()
		var r expr
		if err = p.deeper(&d, t); err != nil {
			break
		}
		if r, err = p.not(d); err == nil {
			l = &binaryExpr{op: "and", l: l, r: r, pos: t.pos}
		}
	}
	return l, err
}

func (p *parser) not(d int) (expr, error) {
	if t := p.peek(); t.is("not") {
		p.i++
		if err := p.deeper(&d, t); err != nil {
			return nil, err
		}
		x, err := p.not(d)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: "not", x: x, pos: t.pos}, nil
	}
	return p.comparison(d)
}

var compareOps = map[string]bool{"=": true, "<>": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) comparison(d int) (expr, error) {
	l, err := p.concat(d)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tokPunct && compareOps[t.text]:
			p.i++
			if err := p.deeper(&d, t); err != nil {
				return nil, err
			}
			r, err := p.concat(d)
			if err != nil {
				return nil, err
			}
			op := t.text
			if op == "!=" {
				op = "<>"
			}
			l = &binaryExpr{op: op, l: l, r: r, pos: t.pos}
		case t.is("is"):
			p.i++
			if err := p.deeper(&d, t); err != nil {
				return nil, err
			}
			not := p.accept("not")
			if err := p.expect("null"); err != nil {
				return nil, err
			}
			l = &isNullExpr{x: l, not: not, pos: t.pos}
		case t.is("not") && (p.peekAt(1).is("between") || p.peekAt(1).is("in") || p.peekAt(1).is("like")):
			p.i++
			if err := p.deeper(&d, t); err != nil {
				return nil, err
			}
			if l, err = p.postfix(l, true, d); err != nil {
				return nil, err
			}
		case t.is("between") || t.is("in") || t.is("like"):
			if err := p.deeper(&d, t); err != nil {
				return nil, err
			}
			if l, err = p.postfix(l, false, d); err != nil {
				return nil, err
			}
		default:
			return l, nil
		}
	}
}

// postfix parses BETWEEN, IN and LIKE after their left operand.
func (p *parser) postfix(l expr, not bool, d int) (expr, error) {
	t := p.next()
	switch t.text {
	case "between":
		lo, err := p.concat(d)
		if err != nil {
			return nil, err
		}
		if err := p.expect("and"); err != nil {
			return nil, err
		}
		hi, err := p.concat(d)
		if err != nil {
			return nil, err
		}
		return &betweenExpr{x: l, lo: lo, hi: hi, not: not, pos: t.pos}, nil
	case "in":
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		if p.peek().is("select") {
			return nil, unsupported("a subquery")
		}
		if p.peek().isPunct(")") {
			return nil, p.errAt(p.peek(), "IN needs at least one value")
		}
		list, err := p.exprList(d, ")")
		if err != nil {
			return nil, err
		}
		return &inExpr{x: l, list: list, not: not, pos: t.pos}, nil
	}
	pat, err := p.concat(d)
	if err != nil {
		return nil, err
	}
	if p.peek().is("escape") {
		return nil, unsupported("LIKE ... ESCAPE")
	}
	return &likeExpr{x: l, pattern: pat, not: not, pos: t.pos}, nil
}

// exprList parses expressions separated by commas up to closer.
func (p *parser) exprList(d int, closer string) ([]expr, error) {
	var list []expr
	if p.acceptPunct(closer) {
		return list, nil
	}
	for {
		e, err := p.exprDepth(d)
		if err != nil {
			return nil, err
		}
		list = append(list, e)
		if p.acceptPunct(closer) {
			return list, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) concat(d int) (expr, error) {
	l, err := p.additive(d)
	for err == nil && p.peek().isPunct("||") {
		t := p.next()
		var r expr
		if err = p.deeper(&d, t); err != nil {
			break
		}
		if r, err = p.additive(d); err == nil {
			l = &binaryExpr{op: "||", l: l, r: r, pos: t.pos}
		}
	}
	return l, err
}

func (p *parser) additive(d int) (expr, error) {
	l, err := p.multiplicative(d)
	for err == nil && (p.peek().isPunct("+") || p.peek().isPunct("-")) {
		t := p.next()
		var r expr
		if err = p.deeper(&d, t); err != nil {
			break
		}
		if r, err = p.multiplicative(d); err == nil {
			l = &binaryExpr{op: t.text, l: l, r: r, pos: t.pos}
		}
	}
	return l, err
}

func (p *parser) multiplicative(d int) (expr, error) {
	l, err := p.unary(d)
	for err == nil && (p.peek().isPunct("*") || p.peek().isPunct("/") || p.peek().isPunct("%")) {
		t := p.next()
		var r expr
		if err = p.deeper(&d, t); err != nil {
			break
		}
		if r, err = p.unary(d); err == nil {
			l = &binaryExpr{op: t.text, l: l, r: r, pos: t.pos}
		}
	}
	return l, err
}

func (p *parser) unary(d int) (expr, error) {
	t := p.peek()
	if t.isPunct("-") || t.isPunct("+") {
		p.i++
		if d > maxExprDepth {
			return nil, p.errAt(t, "expression nested too deeply")
		}
		x, err := p.unary(d + 1)
		if err != nil {
			return nil, err
		}
		if t.text == "+" {
			return x, nil
		}
		if lit, ok := x.(*literal); ok && lit.kind == litNumber && !strings.HasPrefix(lit.text, "-") {
			return &literal{kind: litNumber, text: "-" + lit.text, pos: t.pos}, nil
		}
		return &unaryExpr{op: "-", x: x, pos: t.pos}, nil
	}
	return p.primary(d)
}

// typedLiterals are the type names that may prefix a string literal.
var typedLiterals = map[string]string{
	"date": "DATE", "time": "TIME", "timestamp": "TIMESTAMP", "timestamp_ltz": "TIMESTAMP_LTZ",
}

func (p *parser) primary(d int) (expr, error) {
	t := p.next()
	switch t.kind {
	case tokNumber:
		return &literal{kind: litNumber, text: t.text, pos: t.pos}, nil
	case tokString:
		return &literal{kind: litString, text: t.text, pos: t.pos}, nil
	case tokQuoted:
		return p.columnRef(t)
	case tokPunct:
		if t.text == "(" {
			if p.peek().is("select") {
				return nil, unsupported("a subquery")
			}
			e, err := p.exprDepth(d + 1)
			if err != nil {
				return nil, err
			}
			return e, p.expectPunct(")")
		}
		return nil, p.errAt(t, "expected an expression, found "+describeTok(t))
	case tokEOF:
		return nil, p.errAt(t, "expected an expression, found the end of the statement")
	}
	switch t.text {
	case "null":
		return &literal{kind: litNull, pos: t.pos}, nil
	case "true", "false":
		return &literal{kind: litBool, text: t.text, pos: t.pos}, nil
	case "case":
		return p.caseExpr(t, d)
	case "cast":
		return p.cast(t, d)
	case "interval":
		return nil, unsupported("INTERVAL literals")
	case "array", "map":
		if p.acceptPunct("[") {
			elems, err := p.exprList(d+1, "]")
			if err != nil {
				return nil, err
			}
			return &ctorExpr{kind: t.text, elems: elems, pos: t.pos}, nil
		}
	}
	if typ, ok := typedLiterals[t.text]; ok && p.peek().kind == tokString {
		s := p.next()
		return &literal{kind: litTyped, typ: typ, text: s.text, pos: t.pos}, nil
	}
	if p.peek().isPunct("(") {
		p.i++
		c := &callExpr{name: t.text, pos: t.pos}
		if p.peek().isPunct("*") && p.peekAt(1).isPunct(")") {
			p.i += 2
			c.star = true
			return c, p.overCheck()
		}
		c.distinct = p.accept("distinct")
		args, err := p.exprList(d+1, ")")
		if err != nil {
			return nil, err
		}
		c.args = args
		return c, p.overCheck()
	}
	return p.columnRef(t)
}

// overCheck refuses window functions (OVER).
func (p *parser) overCheck() error {
	if p.peek().is("over") {
		return unsupported("OVER (window aggregates)")
	}
	return nil
}

func (p *parser) columnRef(first token) (expr, error) {
	c := &colRef{parts: []string{first.text}, pos: first.pos}
	for p.peek().isPunct(".") {
		p.i++
		n, err := p.ident()
		if err != nil {
			return nil, err
		}
		c.parts = append(c.parts, n)
	}
	if p.peek().isPunct("[") || p.peek().isPunct("->") {
		return nil, unsupported("element access with [] or ->")
	}
	return c, nil
}

func (p *parser) caseExpr(t token, d int) (expr, error) {
	c := &caseExpr{pos: t.pos}
	var err error
	if !p.peek().is("when") {
		if c.operand, err = p.exprDepth(d + 1); err != nil {
			return nil, err
		}
	}
	for p.accept("when") {
		w, err := p.exprDepth(d + 1)
		if err != nil {
			return nil, err
		}
		if err := p.expect("then"); err != nil {
			return nil, err
		}
		th, err := p.exprDepth(d + 1)
		if err != nil {
			return nil, err
		}
		c.whens, c.thens = append(c.whens, w), append(c.thens, th)
	}
	if len(c.whens) == 0 {
		return nil, p.errAt(p.peek(), "CASE needs at least one WHEN")
	}
	if p.accept("else") {
		if c.els, err = p.exprDepth(d + 1); err != nil {
			return nil, err
		}
	}
	return c, p.expect("end")
}

func (p *parser) cast(t token, d int) (expr, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	x, err := p.exprDepth(d + 1)
	if err != nil {
		return nil, err
	}
	if err := p.expect("as"); err != nil {
		return nil, err
	}
	typ, _, err := p.columnType()
	if err != nil {
		return nil, err
	}
	return &castExpr{x: x, typ: typ, pos: t.pos}, p.expectPunct(")")
}
