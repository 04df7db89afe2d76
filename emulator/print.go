package emulator

import (
	"context"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// printStmt is PRINT ENTITY name [IN STORE s] [WITH ('from_beginning')].
type printStmt struct {
	entity string
	store  string
	props  []prop
}

func (p *parser) printEntity() (any, error) {
	if err := p.expect("entity"); err != nil {
		return nil, err
	}
	st := &printStmt{}
	n, err := p.name(3)
	if err != nil {
		return nil, err
	}
	st.entity = strings.Join(n.parts, ".")
	if p.accept("in") {
		if err := p.expect("store"); err != nil {
			return nil, err
		}
		s, err := p.name(1)
		if err != nil {
			return nil, err
		}
		st.store = s.last()
	}
	if p.peek().is("with") {
		if st.props, err = p.props(); err != nil {
			return nil, err
		}
	}
	return st, nil
}

// printColumns are the columns of PRINT ENTITY: each record's value as
// JSON text.
var printColumns = []wire.Column{col("value", "VARCHAR", true)}

// print answers PRINT ENTITY: the records of the relation bound to the
// topic, each as the JSON object a 'value.format' = 'json' topic holds,
// from now on or from the beginning.
func (x *exec) print(s *printStmt) (*result, error) {
	store := orDefault(s.store, x.sess.store)
	if _, ok, err := x.getObject(kindStore, "", store); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, notFound(kindStore, store)
	}
	if _, ok, err := x.getObject(kindEntity, store, s.entity); err != nil || !ok {
		if err != nil {
			return nil, err
		}
		return nil, errorf(stateTopicNotFound, "entity %s not found in store %s: LIST ENTITIES shows them", quoteText(s.entity), quoteText(store))
	}
	earliest, err := startEarliest(s.props)
	if err != nil {
		return nil, err
	}
	rels, err := x.relations(`store = ? AND topic = ? AND type <> 'materialized_view'`, store, s.entity)
	if err != nil {
		return nil, err
	}
	if len(rels) == 0 { // a topic without a relation holds no records here
		return &result{cols: printColumns, stream: idleStream{}}, nil
	}
	r := rels[0]
	fields := make([]string, 0, 2*len(r.cols))
	for i, c := range r.cols {
		v := colName(i)
		switch c.t.Kind() {
		case types.KindBoolean:
			v = "json(CASE WHEN " + v + " IS NULL THEN 'null' WHEN " + v + " THEN 'true' ELSE 'false' END)"
		case types.KindArray, types.KindMap, types.KindStruct:
			v = "json(" + v + ")"
		}
		fields = append(fields, sqlString(c.Name), v)
	}
	start := int64(0)
	if !earliest {
		if start, err = x.logEnd(r.id); err != nil {
			return nil, err
		}
	}
	q := "SELECT json_object(" + strings.Join(fields, ", ") + ") FROM " + logTable(r.id) + " WHERE _seq > ?1 AND _seq <= ?2 ORDER BY _seq"
	lr := &logReader{e: x.e, rel: r.id, name: quoteText(s.entity), sql: q, types: []*types.Type{tVarchar}, loc: x.sess.loc, start: start, limit: -1}
	return &result{cols: printColumns, stream: lr}, nil
}

// idleStream sends nothing until the client closes.
type idleStream struct{}

// Serve implements server.Stream.
func (idleStream) Serve(ctx context.Context, _ func(context.Context, []*string) error) error {
	<-ctx.Done()
	return ctx.Err()
}
