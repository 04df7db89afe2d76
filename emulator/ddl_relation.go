package emulator

import (
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

// createRelation runs CREATE STREAM, CREATE CHANGELOG and CREATE
// MATERIALIZED VIEW.
func (x *exec) createRelation(s *createStmt) (*result, error) {
	if s.name.parts[0] == "deltastream" && len(s.name.parts) == 3 {
		return nil, errorf("42501", "the deltastream database is read-only")
	}
	db, schema, name, err := x.relPath(s.name)
	if err != nil {
		return nil, err
	}
	if err := x.requireSchema(db, schema); err != nil {
		return nil, err
	}
	path := []string{db, schema, name}
	if old, ok, err := x.loadRelation(db, schema, name); err != nil {
		return nil, err
	} else if ok {
		if s.ifNotExists && old.typ == s.kind {
			return commandResult(s.kind, "CREATE", typeWord(s.kind)+" "+fqn(path...)+" already exists", path...), nil
		}
		return nil, errorf(stateRelationExists, "relation %s already exists", fqn(path...))
	}
	r := &relation{db: db, schema: schema, name: name, typ: s.kind, props: propMap(s.props), pk: s.primaryKey}
	if s.asSelect != nil && !x.selectsSystem(s.asSelect) {
		return x.createAsSelect(s, r) // a persistent query (runtime.go)
	}
	if s.kind == kindMaterializedView {
		return x.createView(s, r)
	}
	seen := map[string]bool{}
	for _, c := range s.columns {
		if seen[c.name] {
			return nil, errorf(stateSyntax, "column %s is defined twice", quoteText(c.name))
		}
		seen[c.name] = true
		r.cols = append(r.cols, column{Name: c.name, Type: c.typ, NotNull: c.notNull, t: parseType(c.typ)})
	}
	if err := x.checkKey(s.kind, r); err != nil {
		return nil, err
	}
	if err := x.relationProps(r); err != nil {
		return nil, err
	}
	if err := x.insertRelation(r, x.text); err != nil {
		return nil, err
	}
	return commandResult(s.kind, "CREATE", created(s.kind, path...), path...), nil
}

// checkKey validates PRIMARY KEY: required for changelogs, refused for
// streams; key columns become NOT NULL.
func (x *exec) checkKey(kind objKind, r *relation) error {
	if kind == kindStream && len(r.pk) > 0 {
		return errorf(stateSyntax, "a stream has no primary key; use CREATE CHANGELOG for keyed data")
	}
	if kind != kindChangelog {
		return nil
	}
	if len(r.pk) == 0 {
		return errorf(stateMissingParameter, "CREATE CHANGELOG needs a PRIMARY KEY (column, ...) in its column list")
	}
	for _, k := range r.pk {
		i := r.colIndex(k)
		if i < 0 {
			return errorf(stateInvalidParameter, "primary key column %s is not a column of the changelog", quoteText(k))
		}
		switch r.cols[i].t.Kind() {
		case types.KindArray, types.KindMap, types.KindStruct:
			return errorf(stateInvalidParameter, "primary key column %s has type %s, which cannot be a key", quoteText(k), r.cols[i].Type)
		}
		r.cols[i].NotNull = true
	}
	return nil
}

// relationProps applies the WITH properties of a new relation: store,
// topic (created when missing), value.format and timestamp.
func (x *exec) relationProps(r *relation) error {
	r.store = x.sess.store
	if v := r.props["store"]; v != "" {
		r.store = v
	}
	if _, ok, err := x.getObject(kindStore, "", r.store); err != nil || !ok {
		if err != nil {
			return err
		}
		return notFound(kindStore, r.store)
	}
	r.topic = r.name
	if v := r.props["topic"]; v != "" {
		r.topic = v
	}
	if r.props["value.format"] == "" {
		r.props["value.format"] = "json"
	}
	switch f := strings.ToLower(r.props["value.format"]); f {
	case "json", "avro", "protobuf", "primitive":
		r.props["value.format"] = f
	default:
		return errorf(stateInvalidParameter, "value.format %s is not one of json, avro, protobuf, primitive", quoteText(f))
	}
	if ts := r.props["timestamp"]; ts != "" {
		i := r.colIndex(ts)
		if i < 0 {
			return errorf(stateInvalidParameter, "timestamp column %s is not a column of the relation", quoteText(ts))
		}
		switch r.cols[i].t.Kind() {
		case types.KindTimestamp, types.KindTimestampLTZ, types.KindBigInt:
		default:
			return errorf(stateInvalidParameter, "timestamp column %s must be TIMESTAMP, TIMESTAMP_LTZ or BIGINT, not %s", quoteText(ts), r.cols[i].Type)
		}
	}
	if _, ok, err := x.getObject(kindEntity, r.store, r.topic); err != nil {
		return err
	} else if !ok {
		return x.putObject(kindEntity, r.store, r.topic, map[string]string{"topic.partitions": "1", "topic.replicas": "1"})
	}
	return nil
}

// dropRelation runs DROP STREAM/CHANGELOG/MATERIALIZED VIEW/RELATION.
func (x *exec) dropRelation(s *dropStmt) (*result, error) {
	db, schema, name, err := x.relPath(s.name)
	if err != nil {
		return nil, err
	}
	path := []string{db, schema, name}
	r, ok, err := x.loadRelation(db, schema, name)
	if err != nil {
		return nil, err
	}
	if !ok || s.kind != kindRelation && r.typ != s.kind {
		if s.ifExists {
			return commandResult(s.kind, "DROP", typeWord(s.kind)+" "+fqn(path...)+" does not exist", path...), nil
		}
		if !ok {
			if err := x.requireSchema(db, schema); err != nil {
				return nil, err
			}
			return nil, notFound(s.kind, path...)
		}
		return nil, errorf(stateRelNotFound, "%s %s not found: it is a %s; use DROP %s or DROP RELATION",
			typeWord(s.kind), fqn(path...), typeWord(r.typ), strings.ToUpper(typeWord(r.typ)))
	}
	if err := x.beforeDrop(r); err != nil { // streaming (queries.go)
		return nil, err
	}
	if err := x.deleteRelation(r); err != nil {
		return nil, err
	}
	return commandResult(r.typ, "DROP", dropped(r.typ, path...), path...), nil
}
