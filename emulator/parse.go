package emulator

import (
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

// maxNameLen is the longest identifier the emulator accepts (42622).
const maxNameLen = 255

// parser reads one statement. Errors carry the position of the token
// that broke the grammar.
type parser struct {
	sql  string
	toks []token
	i    int
}

// parse parses one statement (a trailing semicolon is allowed).
func parse(sql string) (any, error) {
	if c, ok, err := parseQueryCmd(sql); ok { // streaming (queries.go)
		return c, err
	}
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	if n := len(toks); n >= 2 && toks[n-2].isPunct(";") {
		toks = append(toks[:n-2], toks[n-1])
	}
	p := &parser{sql: sql, toks: toks}
	st, err := p.statement()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errAt(t, "unexpected "+describeTok(t)+" after the end of the statement")
	}
	return st, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// accept consumes the keyword kw when it comes next.
func (p *parser) accept(kw string) bool {
	if p.peek().is(kw) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptPunct(s string) bool {
	if p.peek().isPunct(s) {
		p.i++
		return true
	}
	return false
}

func (p *parser) expect(kw string) error {
	if p.accept(kw) {
		return nil
	}
	return p.errAt(p.peek(), "expected "+strings.ToUpper(kw)+", found "+describeTok(p.peek()))
}

func (p *parser) expectPunct(s string) error {
	if p.acceptPunct(s) {
		return nil
	}
	return p.errAt(p.peek(), "expected "+quoteText(s)+", found "+describeTok(p.peek()))
}

func (p *parser) errAt(t token, msg string) error { return syntaxAt(p.sql, t.pos, msg) }

// describeTok names a token for an error message.
func describeTok(t token) string {
	switch t.kind {
	case tokEOF:
		return "the end of the statement"
	case tokString:
		return "string " + quoteText(t.text)
	case tokQuoted:
		return "identifier " + quoteText(t.text)
	}
	return quoteText(t.text)
}

// ident reads one identifier.
func (p *parser) ident() (string, error) {
	t := p.peek()
	if !t.isName() {
		return "", p.errAt(t, "expected a name, found "+describeTok(t))
	}
	if len(t.text) > maxNameLen {
		return "", errorf(stateNameTooLong, "name %s is longer than %d bytes", quoteText(t.text[:32]+"..."), maxNameLen)
	}
	p.i++
	return t.text, nil
}

// name reads a name of up to max dot-separated parts.
func (p *parser) name(max int) (qname, error) {
	q := qname{pos: p.peek().pos}
	for {
		s, err := p.ident()
		if err != nil {
			return q, err
		}
		q.parts = append(q.parts, s)
		if !p.peek().isPunct(".") {
			return q, nil
		}
		if len(q.parts) == max {
			return q, p.errAt(p.peek(), "a name has at most "+itoa(max)+" parts here")
		}
		p.i++
	}
}

// kindWords maps the words after CREATE/DROP/USE/DESCRIBE to object kinds.
var kindWords = map[string]objKind{
	"database": kindDatabase, "schema": kindSchema, "store": kindStore, "entity": kindEntity,
	"stream": kindStream, "changelog": kindChangelog, "relation": kindRelation,
	"secret": kindSecret, "schema_registry": kindSchemaRegistry, "compute_pool": kindComputePool,
	"function_source": kindFunctionSource, "descriptor_source": kindDescriptorSource,
	"function": kindFunction, "role": kindRole, "query": kindQuery, "table": kindRelation,
}

// kind reads an object kind word (MATERIALIZED VIEW is two words).
func (p *parser) kind() (objKind, token, bool) {
	t := p.peek()
	if t.is("materialized") && p.peekAt(1).is("view") {
		p.i += 2
		return kindMaterializedView, t, true
	}
	if k, ok := kindWords[t.text]; ok && t.kind == tokIdent {
		p.i++
		return k, t, true
	}
	return "", t, false
}

// statement dispatches on the first keyword.
func (p *parser) statement() (any, error) {
	t := p.peek()
	switch {
	case t.is("create"):
		p.i++
		return p.create()
	case t.is("drop"):
		p.i++
		return p.drop()
	case t.is("use"):
		p.i++
		return p.use()
	case t.is("list") || t.is("show"):
		p.i++
		return p.list()
	case t.is("describe") || t.is("desc"):
		p.i++
		return p.describe()
	case t.is("insert"):
		p.i++
		return p.insert()
	case t.is("select"):
		return p.selectStmt()
	case t.is("print"):
		p.i++
		return p.printEntity() // streaming (continuous.go)
	case t.kind == tokEOF:
		return nil, p.errAt(t, "empty statement")
	case t.kind == tokIdent:
		return nil, unsupported("the statement " + strings.ToUpper(t.text))
	}
	return nil, p.errAt(t, "expected a statement, found "+describeTok(t))
}

func (p *parser) create() (any, error) {
	k, t, ok := p.kind()
	if !ok {
		if t.kind == tokIdent {
			return nil, unsupported("CREATE " + strings.ToUpper(t.text))
		}
		return nil, p.errAt(t, "expected an object kind after CREATE, found "+describeTok(t))
	}
	if k == kindRole || k == kindQuery || k == kindRelation {
		return nil, unsupported("CREATE " + strings.ToUpper(string(k)))
	}
	st := &createStmt{kind: k}
	if p.accept("if") {
		if err := p.expect("not"); err != nil {
			return nil, err
		}
		if err := p.expect("exists"); err != nil {
			return nil, err
		}
		st.ifNotExists = true
	}
	var err error
	if st.name, err = p.name(maxParts(k)); err != nil {
		return nil, err
	}
	if k == kindFunction && p.peek().isPunct("(") {
		if err := p.skipBalanced(); err != nil {
			return nil, err
		}
		for p.peek().kind != tokEOF && !p.peek().is("with") {
			p.i++ // RETURNS type LANGUAGE JAVA ...: recorded, not interpreted
		}
	}
	if (k == kindStream || k == kindChangelog) && p.peek().isPunct("(") {
		if err := p.columnDefs(st); err != nil {
			return nil, err
		}
	}
	if p.accept("in") {
		if p.accept("database") || p.accept("store") {
			if st.in, err = p.name(1); err != nil {
				return nil, err
			}
		} else {
			return nil, p.errAt(p.peek(), "expected DATABASE or STORE after IN, found "+describeTok(p.peek()))
		}
	}
	if p.peek().is("with") {
		if st.props, err = p.props(); err != nil {
			return nil, err
		}
	}
	if p.peek().is("as") {
		p.i++
		start := p.peek().pos
		sel, err := p.selectStmt()
		if err != nil {
			return nil, err
		}
		st.asSelect = sel
		st.selectText = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p.sql[start:]), ";"))
	}
	if (k == kindStream || k == kindChangelog) && st.columns == nil && st.asSelect == nil {
		return nil, p.errAt(p.peek(), "CREATE "+strings.ToUpper(string(k))+" needs a column list or AS SELECT")
	}
	if k == kindMaterializedView && st.asSelect == nil {
		return nil, p.errAt(p.peek(), "CREATE MATERIALIZED VIEW needs AS SELECT")
	}
	return st, nil
}

// maxParts is how many name parts a kind's name may have.
func maxParts(k objKind) int {
	switch k {
	case kindSchema:
		return 2
	case kindStream, kindChangelog, kindMaterializedView, kindRelation, kindFunction:
		return 3
	}
	return 1
}

// skipBalanced skips a parenthesized group.
func (p *parser) skipBalanced() error {
	depth := 0
	for {
		t := p.next()
		switch {
		case t.kind == tokEOF:
			return p.errAt(t, "unbalanced parentheses")
		case t.isPunct("("):
			depth++
		case t.isPunct(")"):
			depth--
			if depth == 0 {
				return nil
			}
		}
	}
}

// columnDefs reads "(name type [NOT NULL], ..., [PRIMARY KEY(a, b)])".
func (p *parser) columnDefs(st *createStmt) error {
	p.i++ // (
	for {
		if p.peek().is("primary") && p.peekAt(1).is("key") {
			p.i += 2
			if err := p.expectPunct("("); err != nil {
				return err
			}
			for {
				n, err := p.ident()
				if err != nil {
					return err
				}
				st.primaryKey = append(st.primaryKey, n)
				if !p.acceptPunct(",") {
					break
				}
			}
			if err := p.expectPunct(")"); err != nil {
				return err
			}
		} else {
			name, err := p.ident()
			if err != nil {
				return err
			}
			typ, notNull, err := p.columnType()
			if err != nil {
				return err
			}
			st.columns = append(st.columns, colDef{name: name, typ: typ, notNull: notNull})
		}
		if p.acceptPunct(")") {
			return nil
		}
		if err := p.expectPunct(","); err != nil {
			return err
		}
	}
}

// columnType reads a type up to the next top-level ',' or ')' and
// parses it with the driver's type grammar.
func (p *parser) columnType() (string, bool, error) {
	start := p.peek()
	depth := 0
	end := start.pos
	for {
		t := p.peek()
		if t.kind == tokEOF {
			return "", false, p.errAt(t, "unterminated column list")
		}
		if depth == 0 && (t.isPunct(",") || t.isPunct(")")) {
			break
		}
		switch {
		case t.isPunct("(") || t.isPunct("<"):
			depth++
		case t.isPunct(")") || t.isPunct(">"):
			depth--
		}
		p.i++
		end = p.peek().pos
	}
	text := strings.TrimSpace(p.sql[start.pos:end])
	if text == "" {
		return "", false, p.errAt(start, "expected a column type")
	}
	typ, err := types.Parse(text)
	if err != nil {
		return "", false, p.errAt(start, "invalid column type "+quoteText(text)+": "+err.Error())
	}
	if typ.Kind() == types.KindOther || typ.Kind() == types.KindMultiset {
		return "", false, unsupported("the column type " + typ.String())
	}
	s := typ.String()
	notNull := typ.NotNull()
	s = strings.TrimSuffix(s, " NOT NULL")
	return s, notNull, nil
}

// props reads WITH ('k' = v, ...).
func (p *parser) props() ([]prop, error) {
	p.i++ // with
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var out []prop
	for {
		k := p.next()
		if k.kind != tokString && !k.isName() {
			return nil, p.errAt(k, "expected a property name, found "+describeTok(k))
		}
		pr := prop{key: k.text}
		if p.acceptPunct("=") {
			v := p.next()
			switch {
			case v.kind == tokIdent:
				pr.value = v.text
				if end := v.pos + len(v.text); end <= len(p.sql) && strings.ToLower(p.sql[v.pos:end]) == v.text {
					pr.value = p.sql[v.pos:end] // an unquoted value keeps its case: 'type' = KAFKA
				}
			case v.kind == tokString || v.kind == tokNumber || v.isName():
				pr.value = v.text
			case v.isPunct("-") && p.peek().kind == tokNumber:
				pr.value = "-" + p.next().text
			default:
				return nil, p.errAt(v, "expected a property value, found "+describeTok(v))
			}
		}
		out = append(out, pr)
		if p.acceptPunct(")") {
			return out, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) drop() (any, error) {
	k, t, ok := p.kind()
	if !ok {
		if t.kind == tokIdent {
			return nil, unsupported("DROP " + strings.ToUpper(t.text))
		}
		return nil, p.errAt(t, "expected an object kind after DROP, found "+describeTok(t))
	}
	if k == kindRole || k == kindQuery {
		return nil, unsupported("DROP " + strings.ToUpper(string(k)))
	}
	st := &dropStmt{kind: k}
	if p.accept("if") {
		if err := p.expect("exists"); err != nil {
			return nil, err
		}
		st.ifExists = true
	}
	var err error
	if st.name, err = p.name(maxParts(k)); err != nil {
		return nil, err
	}
	if k == kindFunction && p.peek().isPunct("(") {
		if err := p.skipBalanced(); err != nil {
			return nil, err
		}
	}
	if p.accept("in") {
		if err := p.expect("store"); err != nil {
			return nil, err
		}
		if st.in, err = p.name(1); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (p *parser) use() (any, error) {
	k, t, ok := p.kind()
	switch {
	case !ok:
		return nil, p.errAt(t, "expected DATABASE, SCHEMA, STORE, ROLE or COMPUTE_POOL after USE, found "+describeTok(t))
	case k != kindDatabase && k != kindSchema && k != kindStore && k != kindRole && k != kindComputePool:
		return nil, unsupported("USE " + strings.ToUpper(string(k)))
	}
	n, err := p.name(maxParts(k))
	if err != nil {
		return nil, err
	}
	return &useStmt{kind: k, name: n}, nil
}

func itoa(n int) string { return strconv.Itoa(n) }
