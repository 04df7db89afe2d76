package emulator

import "strings"

// listWords maps the plural after LIST to what it lists.
var listWords = map[string]objKind{
	"databases": kindDatabase, "schemas": kindSchema, "stores": kindStore, "entities": kindEntity,
	"relations": kindRelation, "streams": kindStream, "changelogs": kindChangelog,
	"secrets": kindSecret, "schema_registries": kindSchemaRegistry, "compute_pools": kindComputePool,
	"function_sources": kindFunctionSource, "descriptor_sources": kindDescriptorSource,
	"functions": kindFunction, "roles": kindRole, "queries": kindQuery, "tables": kindRelation,
}

func (p *parser) list() (any, error) {
	t := p.next()
	st := &listStmt{}
	if t.is("materialized") && p.accept("views") {
		st.what = kindMaterializedView
	} else if k, ok := listWords[t.text]; ok && t.kind == tokIdent {
		st.what = k
	} else if t.kind == tokIdent {
		return nil, unsupported("LIST " + strings.ToUpper(t.text))
	} else {
		return nil, p.errAt(t, "expected what to list, found "+describeTok(t))
	}
	for p.accept("in") {
		var err error
		switch {
		case p.accept("database"):
			st.in, err = p.name(1)
		case p.accept("schema"):
			st.in, err = p.name(2)
			if err == nil && len(st.in.parts) == 1 {
				st.in.parts = append([]string{""}, st.in.parts...)
			}
		case p.accept("store"):
			st.in, err = p.name(1)
		default:
			// LIST ENTITIES IN "topic" IN STORE s: nested entities are flat here.
			_, err = p.name(3)
		}
		if err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (p *parser) describe() (any, error) {
	k, t, ok := p.kind()
	if !ok {
		if t.is("insert") || t.is("create") || t.is("select") {
			return nil, unsupported("DESCRIBE of a statement (dry run)")
		}
		if t.kind == tokIdent {
			return nil, unsupported("DESCRIBE " + strings.ToUpper(t.text))
		}
		return nil, p.errAt(t, "expected what to describe, found "+describeTok(t))
	}
	st := &describeStmt{kind: k}
	st.columns = p.accept("columns")
	var err error
	if st.name, err = p.name(maxParts(k)); err != nil {
		return nil, err
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

func (p *parser) insert() (any, error) {
	if err := p.expect("into"); err != nil {
		return nil, err
	}
	rel, err := p.name(3)
	if err != nil {
		return nil, err
	}
	st := &insertStmt{rel: rel}
	if p.acceptPunct("(") {
		for {
			c, err := p.ident()
			if err != nil {
				return nil, err
			}
			st.columns = append(st.columns, c)
			if p.acceptPunct(")") {
				break
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
	}
	if p.peek().is("select") {
		return p.insertSelect(st) // a persistent query (runtime.go)
	}
	if err := p.expect("values"); err != nil {
		return nil, err
	}
	for {
		if err := p.expectPunct("("); err != nil {
			return nil, err
		}
		var row []expr
		for {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			row = append(row, e)
			if p.acceptPunct(")") {
				break
			}
			if err := p.expectPunct(","); err != nil {
				return nil, err
			}
		}
		st.rows = append(st.rows, row)
		if !p.acceptPunct(",") {
			return st, nil
		}
	}
}
