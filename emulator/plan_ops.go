package emulator

import (
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

func (sc *scope) binary(e *binaryExpr) (typed, error) {
	l, err := sc.trChild(e.l)
	if err != nil {
		return l, err
	}
	var r typed
	if compareOps[e.op] {
		r, err = sc.compareOperand(l, e.r)
		if err == nil {
			if lit, ok := e.l.(*literal); ok && lit.kind == litString && r.t != nil && family(r.t) != "text" {
				l, err = sc.compareOperand(r, e.l)
			}
		}
	} else {
		r, err = sc.trChild(e.r)
	}
	if err != nil {
		return r, err
	}
	agg := l.agg || r.agg
	switch e.op {
	case "and", "or":
		if err := wantBool(l, strings.ToUpper(e.op)); err != nil {
			return l, err
		}
		if err := wantBool(r, strings.ToUpper(e.op)); err != nil {
			return l, err
		}
		return typed{sql: "(" + l.sql + " " + strings.ToUpper(e.op) + " " + r.sql + ")", t: tBoolean, agg: agg}, nil
	case "=", "<>", "<", "<=", ">", ">=":
		return typed{sql: "(" + l.sql + " " + e.op + " " + r.sql + ")", t: tBoolean, agg: agg}, nil
	case "||":
		if !isText(l.t) || !isText(r.t) {
			return l, errorf(stateTypeMismatch, "|| needs strings, not %s and %s", typeName(l.t), typeName(r.t))
		}
		return typed{sql: "(" + l.sql + " || " + r.sql + ")", t: tVarchar, agg: agg}, nil
	}
	t, err := arithType(e.op, l.t, r.t)
	if err != nil {
		return l, err
	}
	return typed{sql: "(" + l.sql + " " + e.op + " " + r.sql + ")", t: t, agg: agg}, nil
}

// arithType is the result type of l op r (Flink's rules, with DECIMAL
// precision capped at 38).
func arithType(op string, l, r *types.Type) (*types.Type, error) {
	if l == nil {
		l = r
	}
	if r == nil {
		r = l
	}
	if l == nil {
		return tInteger, nil
	}
	if !isNumeric(l) || !isNumeric(r) {
		return nil, errorf(stateTypeMismatch, "%s needs numbers, not %s and %s", op, l.String(), r.String())
	}
	if op == "%" && (!isInteger(l) || !isInteger(r)) {
		return nil, unsupported("% on non-integer numbers")
	}
	switch {
	case isInteger(l) && isInteger(r):
		if l.Kind() == types.KindBigInt || r.Kind() == types.KindBigInt {
			return tBigInt, nil
		}
		return tInteger, nil
	case l.Kind() == types.KindDouble || r.Kind() == types.KindDouble || l.Kind() == types.KindFloat || r.Kind() == types.KindFloat:
		return tDouble, nil
	}
	p1, s1 := decimalOf(l)
	p2, s2 := decimalOf(r)
	var p, s int64
	switch op {
	case "+", "-":
		s = max(s1, s2)
		p = max(p1-s1, p2-s2) + s + 1
	case "*":
		p, s = p1+p2, s1+s2
	case "/":
		s = max(6, s1+p2+1)
		p = p1 - s1 + s2 + s
	}
	p = min(p, 38)
	s = min(s, p)
	return parseType("DECIMAL(" + strconv.FormatInt(p, 10) + ", " + strconv.FormatInt(s, 10) + ")"), nil
}

// decimalOf is the precision and scale of a number type as a DECIMAL.
func decimalOf(t *types.Type) (int64, int64) {
	switch t.Kind() {
	case types.KindTinyInt:
		return 3, 0
	case types.KindSmallInt:
		return 5, 0
	case types.KindInteger:
		return 10, 0
	case types.KindBigInt:
		return 19, 0
	}
	p, s, _ := t.PrecisionScale()
	return p, s
}

// aggregates are the supported aggregate functions.
var aggregates = map[string]bool{"count": true, "sum": true, "min": true, "max": true, "avg": true}

func (sc *scope) call(c *callExpr) (typed, error) {
	if aggregates[c.name] {
		return sc.aggregate(c)
	}
	if c.distinct || c.star {
		return typed{}, errorf(stateSyntax, "%s is not an aggregate function", strings.ToUpper(c.name))
	}
	args := make([]typed, len(c.args))
	agg := false
	for i, a := range c.args {
		v, err := sc.trChild(a)
		if err != nil {
			return v, err
		}
		args[i], agg = v, agg || v.agg
	}
	argc := func(lo, hi int) error {
		if len(args) < lo || len(args) > hi {
			return errorf(stateSyntax, "%s takes %d to %d arguments, not %d", strings.ToUpper(c.name), lo, hi, len(args))
		}
		return nil
	}
	text := func(i int) error {
		if !isText(args[i].t) {
			return errorf(stateTypeMismatch, "%s needs a string, not %s", strings.ToUpper(c.name), typeName(args[i].t))
		}
		return nil
	}
	sqls := make([]string, len(args))
	for i, a := range args {
		sqls[i] = a.sql
	}
	switch c.name {
	case "upper", "lower":
		if err := argc(1, 1); err != nil {
			return typed{}, err
		}
		if err := text(0); err != nil {
			return typed{}, err
		}
		return typed{sql: c.name + "(" + sqls[0] + ")", t: tVarchar, agg: agg}, nil
	case "char_length", "character_length":
		if err := argc(1, 1); err != nil {
			return typed{}, err
		}
		if err := text(0); err != nil {
			return typed{}, err
		}
		return typed{sql: "length(" + sqls[0] + ")", t: tInteger, agg: agg}, nil
	case "concat":
		if err := argc(1, 1<<20); err != nil {
			return typed{}, err
		}
		for i := range args {
			if err := text(i); err != nil {
				return typed{}, err
			}
		}
		return typed{sql: "(" + strings.Join(sqls, " || ") + ")", t: tVarchar, agg: agg}, nil
	case "abs":
		if err := argc(1, 1); err != nil {
			return typed{}, err
		}
		if args[0].t != nil && !isNumeric(args[0].t) {
			return typed{}, errorf(stateTypeMismatch, "ABS needs a number, not %s", typeName(args[0].t))
		}
		return typed{sql: "abs(" + sqls[0] + ")", t: args[0].t, agg: agg}, nil
	case "coalesce":
		if err := argc(1, 1<<20); err != nil {
			return typed{}, err
		}
		t, err := commonType(args)
		if err != nil {
			return typed{}, err
		}
		if len(args) == 1 {
			return typed{sql: sqls[0], t: t, agg: agg}, nil
		}
		return typed{sql: "coalesce(" + strings.Join(sqls, ", ") + ")", t: t, agg: agg}, nil
	case "substring", "substr":
		if err := argc(2, 3); err != nil {
			return typed{}, err
		}
		if err := text(0); err != nil {
			return typed{}, err
		}
		for _, a := range args[1:] {
			if a.t != nil && !isInteger(a.t) {
				return typed{}, errorf(stateTypeMismatch, "SUBSTRING positions are integers, not %s", a.t.String())
			}
		}
		return typed{sql: "substr(" + strings.Join(sqls, ", ") + ")", t: tVarchar, agg: agg}, nil
	}
	return typed{}, unsupported("the function " + strings.ToUpper(c.name))
}

// commonType is the type of CASE branches and COALESCE arguments: all
// must be of one family; the first non-NULL type wins.
func commonType(args []typed) (*types.Type, error) {
	var t *types.Type
	for _, a := range args {
		if a.t == nil {
			continue
		}
		if t == nil {
			t = a.t
			continue
		}
		if family(t) != family(a.t) {
			return nil, errorf(stateTypeMismatch, "%s and %s have no common type", t.String(), a.t.String())
		}
		if t.String() != a.t.String() {
			if isNumeric(t) || t.Kind() == types.KindTimestamp || t.Kind() == types.KindTimestampLTZ || t.Kind() == types.KindTime {
				return nil, unsupported("mixing " + t.String() + " and " + a.t.String() + " in one result")
			}
			t = tVarchar
		}
	}
	return t, nil
}

func (sc *scope) aggregate(c *callExpr) (typed, error) {
	if sc.inAgg {
		return typed{}, errorf(stateGrouping, "aggregate functions cannot be nested")
	}
	if !sc.grouped {
		return typed{}, errorf(stateGrouping, "aggregate function %s is not allowed here", strings.ToUpper(c.name))
	}
	if c.star {
		if c.name != "count" {
			return typed{}, errorf(stateSyntax, "only COUNT takes *")
		}
		return typed{sql: "count(*)", t: tBigInt, agg: true, notNull: true}, nil
	}
	if len(c.args) != 1 {
		return typed{}, errorf(stateSyntax, "%s takes one argument", strings.ToUpper(c.name))
	}
	sc.inAgg = true
	a, err := sc.trChild(c.args[0])
	sc.inAgg = false
	if err != nil {
		return a, err
	}
	if a.agg {
		return typed{}, errorf(stateGrouping, "aggregate functions cannot be nested")
	}
	d := ""
	if c.distinct {
		d = "DISTINCT "
	}
	arg := d + a.sql
	switch c.name {
	case "count":
		return typed{sql: "count(" + arg + ")", t: tBigInt, agg: true, notNull: true}, nil
	case "min", "max":
		if a.t != nil {
			switch a.t.Kind() {
			case types.KindArray, types.KindMap, types.KindStruct:
				return typed{}, unsupported(strings.ToUpper(c.name) + " of " + a.t.String())
			}
		}
		return typed{sql: c.name + "(" + arg + ")", t: a.t, agg: true}, nil
	}
	if a.t == nil || !isNumeric(a.t) {
		return typed{}, errorf(stateTypeMismatch, "%s needs a number, not %s", strings.ToUpper(c.name), typeName(a.t))
	}
	if c.name == "sum" {
		t := a.t
		if t.Kind() == types.KindDecimal {
			_, s := decimalOf(t)
			t = parseType("DECIMAL(38, " + strconv.FormatInt(s, 10) + ")")
		}
		return typed{sql: "sum(" + arg + ")", t: t, agg: true}, nil
	}
	switch {
	case isInteger(a.t):
		return typed{sql: "CAST(avg(" + arg + ") AS INTEGER)", t: a.t, agg: true}, nil
	case a.t.Kind() == types.KindDecimal:
		_, s := decimalOf(a.t)
		return typed{sql: "avg(" + arg + ")", t: parseType("DECIMAL(38, " + strconv.FormatInt(max(s, 6), 10) + ")"), agg: true}, nil
	}
	return typed{sql: "avg(" + arg + ")", t: tDouble, agg: true}, nil
}

func (sc *scope) caseExpr(c *caseExpr) (typed, error) {
	var b strings.Builder
	b.WriteString("(CASE")
	agg := false
	var op typed
	if c.operand != nil {
		var err error
		if op, err = sc.trChild(c.operand); err != nil {
			return op, err
		}
		b.WriteString(" " + op.sql)
		agg = op.agg
	}
	thens := make([]typed, 0, len(c.thens)+1)
	for i, w := range c.whens {
		var wt typed
		var err error
		if c.operand != nil {
			wt, err = sc.compareOperand(op, w)
		} else {
			wt, err = sc.trChild(w)
			if err == nil {
				err = wantBool(wt, "WHEN")
			}
		}
		if err != nil {
			return wt, err
		}
		th, err := sc.trChild(c.thens[i])
		if err != nil {
			return th, err
		}
		thens = append(thens, th)
		agg = agg || wt.agg || th.agg
		b.WriteString(" WHEN " + wt.sql + " THEN " + th.sql)
	}
	if c.els != nil {
		el, err := sc.trChild(c.els)
		if err != nil {
			return el, err
		}
		thens = append(thens, el)
		agg = agg || el.agg
		b.WriteString(" ELSE " + el.sql)
	}
	b.WriteString(" END)")
	t, err := commonType(thens)
	if err != nil {
		return typed{}, err
	}
	return typed{sql: b.String(), t: t, agg: agg}, nil
}

func (sc *scope) cast(c *castExpr) (typed, error) {
	x, err := sc.trChild(c.x)
	if err != nil {
		return x, err
	}
	to := parseType(c.typ)
	from := x.t
	switch {
	case from == nil:
		return typed{sql: "NULL", t: to, agg: x.agg}, nil
	case from.String() == to.String():
		return typed{sql: x.sql, t: to, agg: x.agg, notNull: x.notNull}, nil
	case isInteger(from) && to.Kind() == types.KindBigInt:
		return typed{sql: x.sql, t: to, agg: x.agg, notNull: x.notNull}, nil
	case isNumeric(from) && (to.Kind() == types.KindDouble || to.Kind() == types.KindFloat):
		return typed{sql: "CAST(" + x.sql + " AS REAL)", t: to, agg: x.agg, notNull: x.notNull}, nil
	case isInteger(from) && to.Kind() == types.KindDecimal:
		return typed{sql: "CAST(" + x.sql + " AS REAL)", t: to, agg: x.agg, notNull: x.notNull}, nil
	case isInteger(from) && (to.Kind() == types.KindVarchar && !hasLength(to)):
		return typed{sql: "CAST(" + x.sql + " AS TEXT)", t: to, agg: x.agg, notNull: x.notNull}, nil
	case isText(from) && to.Kind() == types.KindVarchar && !hasLength(to):
		return typed{sql: x.sql, t: to, agg: x.agg, notNull: x.notNull}, nil
	}
	return typed{}, unsupported("CAST from " + from.String() + " to " + to.String())
}

func hasLength(t *types.Type) bool {
	n, ok := t.Length()
	return ok && n != 1<<63-1
}
