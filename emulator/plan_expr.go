package emulator

import (
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

const stateGrouping = "42803"

// typed is a translated expression: SQLite text, DeltaStream type, and
// whether it holds an aggregate.
type typed struct {
	sql     string
	t       *types.Type // nil for the NULL literal
	agg     bool
	notNull bool
}

// scope translates expressions over one relation for one SELECT.
type scope struct {
	x       *exec
	r       *relation
	names   map[string]bool // qualifiers that name the relation
	grouped bool
	groups  map[string]bool // SQL of GROUP BY expressions
	inAgg   bool
	aliases map[string]typed // select aliases, for ORDER BY
}

var (
	tBoolean = parseType("BOOLEAN")
	tInteger = parseType("INTEGER")
	tBigInt  = parseType("BIGINT")
	tDouble  = parseType("DOUBLE")
	tVarchar = parseType("VARCHAR")
)

// tr translates an expression.
func (sc *scope) tr(e expr) (typed, error) {
	out, err := sc.tr1(e)
	if err != nil {
		return out, err
	}
	if sc.grouped && !sc.inAgg && !out.agg {
		if _, ok := e.(*colRef); ok && !sc.groups[out.sql] {
			return out, errorf(stateGrouping, "column %s must appear in GROUP BY or be used in an aggregate function", quoteText(strings.Join(e.(*colRef).parts, ".")))
		}
	}
	return out, nil
}

// grouped reports whether e is one of the GROUP BY expressions.
func (sc *scope) tr1(e expr) (typed, error) {
	switch e := e.(type) {
	case *colRef:
		return sc.column(e)
	case *literal:
		return sc.literal(e)
	case *unaryExpr:
		x, err := sc.trChild(e.x)
		if err != nil {
			return x, err
		}
		if e.op == "not" {
			if err := wantBool(x, "NOT"); err != nil {
				return x, err
			}
			return typed{sql: "(NOT " + x.sql + ")", t: tBoolean, agg: x.agg}, nil
		}
		if x.t == nil || !isNumeric(x.t) {
			return x, errorf(stateTypeMismatch, "unary minus needs a number, not %s", typeName(x.t))
		}
		return typed{sql: "(- " + x.sql + ")", t: x.t, agg: x.agg}, nil
	case *binaryExpr:
		return sc.binary(e)
	case *callExpr:
		return sc.call(e)
	case *caseExpr:
		return sc.caseExpr(e)
	case *castExpr:
		return sc.cast(e)
	case *isNullExpr:
		x, err := sc.trChild(e.x)
		if err != nil {
			return x, err
		}
		op := " IS NULL)"
		if e.not {
			op = " IS NOT NULL)"
		}
		return typed{sql: "(" + x.sql + op, t: tBoolean, agg: x.agg, notNull: true}, nil
	case *betweenExpr:
		x, err := sc.trChild(e.x)
		if err != nil {
			return x, err
		}
		lo, err := sc.compareOperand(x, e.lo)
		if err != nil {
			return x, err
		}
		hi, err := sc.compareOperand(x, e.hi)
		if err != nil {
			return x, err
		}
		not := ""
		if e.not {
			not = "NOT "
		}
		return typed{sql: "(" + x.sql + " " + not + "BETWEEN " + lo.sql + " AND " + hi.sql + ")", t: tBoolean, agg: x.agg || lo.agg || hi.agg}, nil
	case *inExpr:
		x, err := sc.trChild(e.x)
		if err != nil {
			return x, err
		}
		parts := make([]string, len(e.list))
		agg := x.agg
		for i, it := range e.list {
			v, err := sc.compareOperand(x, it)
			if err != nil {
				return x, err
			}
			parts[i], agg = v.sql, agg || v.agg
		}
		not := ""
		if e.not {
			not = "NOT "
		}
		return typed{sql: "(" + x.sql + " " + not + "IN (" + strings.Join(parts, ", ") + "))", t: tBoolean, agg: agg}, nil
	case *likeExpr:
		x, err := sc.trChild(e.x)
		if err != nil {
			return x, err
		}
		p, err := sc.trChild(e.pattern)
		if err != nil {
			return x, err
		}
		if !isText(x.t) || !isText(p.t) {
			return x, errorf(stateTypeMismatch, "LIKE needs strings, not %s and %s", typeName(x.t), typeName(p.t))
		}
		not := ""
		if e.not {
			not = "NOT "
		}
		return typed{sql: "(" + x.sql + " " + not + "LIKE " + p.sql + ")", t: tBoolean, agg: x.agg || p.agg}, nil
	case *ctorExpr:
		return typed{}, unsupported(strings.ToUpper(e.kind) + "[...] in a query")
	}
	return typed{}, unsupported("this expression")
}

// trChild translates a sub-expression (with the grouping check).
func (sc *scope) trChild(e expr) (typed, error) { return sc.tr(e) }

func typeName(t *types.Type) string {
	if t == nil {
		return "NULL"
	}
	return t.String()
}

func isText(t *types.Type) bool {
	return t == nil || t.Kind() == types.KindVarchar || t.Kind() == types.KindChar
}

func wantBool(x typed, what string) error {
	if x.t != nil && x.t.Kind() != types.KindBoolean {
		return errorf(stateTypeMismatch, "%s needs a BOOLEAN operand, not %s", what, x.t.String())
	}
	return nil
}

// column resolves a column reference.
func (sc *scope) column(c *colRef) (typed, error) {
	if sc.r.join != nil { // streaming (join.go)
		return sc.joinColumn(c)
	}
	name := c.parts[len(c.parts)-1]
	if len(c.parts) > 1 {
		q := strings.Join(c.parts[:len(c.parts)-1], ".")
		if !sc.names[q] {
			return typed{}, errorf(stateUndefinedColumn, "%s does not name the relation in FROM", quoteText(q))
		}
	}
	i := sc.r.colIndex(name)
	if i < 0 {
		if a, ok := sc.aliases[name]; ok && len(c.parts) == 1 {
			return a, nil
		}
		return typed{}, errorf(stateUndefinedColumn, "column %s does not exist in %s", quoteText(name), fqn(sc.r.path()...))
	}
	return typed{sql: "_r." + colName(i), t: sc.r.cols[i].t, notNull: sc.r.cols[i].NotNull}, nil
}

// literal translates a constant.
func (sc *scope) literal(l *literal) (typed, error) {
	switch l.kind {
	case litNull:
		return typed{sql: "NULL"}, nil
	case litBool:
		if l.text == "true" {
			return typed{sql: "1", t: tBoolean, notNull: true}, nil
		}
		return typed{sql: "0", t: tBoolean, notNull: true}, nil
	case litString:
		return typed{sql: sqlString(l.text), t: parseType("VARCHAR(" + strconv.Itoa(max(1, len([]rune(l.text)))) + ")"), notNull: true}, nil
	case litTyped:
		t := parseType(l.typ)
		if l.typ == "TIMESTAMP" || l.typ == "TIMESTAMP_LTZ" {
			t = parseType(l.typ + "(9)")
		} else if l.typ == "TIME" {
			t = parseType("TIME(9)")
		}
		v, err := coerceTime(t, l, sc.x.sess.loc)
		if err != nil {
			return typed{}, err
		}
		return typed{sql: sqlString(v.(string)), t: t, notNull: true}, nil
	}
	text := l.text
	if strings.ContainsAny(text, "eE") {
		return typed{sql: text, t: tDouble, notNull: true}, nil
	}
	if !strings.Contains(text, ".") {
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return typed{}, errorf(stateOutOfRange, "the number %s is out of range for BIGINT", text)
		}
		if n >= -1<<31 && n < 1<<31 {
			return typed{sql: text, t: tInteger, notNull: true}, nil
		}
		return typed{sql: text, t: tBigInt, notNull: true}, nil
	}
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(text, "-"), ".")
	p := max(len(strings.TrimLeft(intPart, "0"))+len(frac), 1)
	if p > maxDecimalDigits {
		return typed{}, unsupported("a DECIMAL literal with more than 15 digits")
	}
	sqlText := text
	if strings.HasPrefix(sqlText, ".") || strings.HasPrefix(sqlText, "-.") {
		sqlText = strings.Replace(sqlText, ".", "0.", 1)
	}
	if strings.HasSuffix(sqlText, ".") {
		sqlText += "0"
	}
	return typed{sql: sqlText, t: parseType("DECIMAL(" + strconv.Itoa(p) + ", " + strconv.Itoa(len(frac)) + ")"), notNull: true}, nil
}

// sqlString quotes s as a SQLite string literal.
// SQLite ends SQL text at a NUL byte, so NULs are spliced in with char(0).
func sqlString(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.IndexByte(s, 0) >= 0 {
		q = "(" + strings.ReplaceAll(q, "\x00", "' || char(0) || '") + ")"
	}
	return q
}

// compareOperand translates the other side of a comparison with x:
// string literals compared with dates and times become stored text.
func (sc *scope) compareOperand(x typed, e expr) (typed, error) {
	if l, ok := e.(*literal); ok && l.kind == litString && x.t != nil {
		switch x.t.Kind() {
		case types.KindDate, types.KindTime, types.KindTimestamp, types.KindTimestampLTZ:
			v, err := coerceTime(x.t, l, sc.x.sess.loc)
			if err != nil {
				return typed{}, err
			}
			return typed{sql: sqlString(v.(string)), t: x.t, notNull: true}, nil
		}
	}
	y, err := sc.trChild(e)
	if err != nil {
		return y, err
	}
	if !comparable(x.t, y.t) {
		return y, errorf(stateTypeMismatch, "cannot compare %s with %s", typeName(x.t), typeName(y.t))
	}
	return y, nil
}

// family groups types that compare with each other.
func family(t *types.Type) string {
	switch {
	case t == nil:
		return ""
	case isNumeric(t):
		return "number"
	case isText(t):
		return "text"
	case t.Kind() == types.KindTimestamp || t.Kind() == types.KindTimestampLTZ:
		return t.Kind().String()
	}
	return t.Kind().String()
}

func comparable(a, b *types.Type) bool {
	if a == nil || b == nil {
		return true
	}
	switch a.Kind() {
	case types.KindArray, types.KindMap, types.KindStruct:
		return false
	}
	return family(a) == family(b)
}
