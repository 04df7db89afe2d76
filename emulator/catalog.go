package emulator

import (
	"strings"
)

// notFound is the not-found state and a message for kind.
var notFoundStates = map[objKind]string{
	kindDatabase: stateDatabaseNotFound, kindSchema: stateSchemaNotFound, kindStore: stateStoreNotFound,
	kindEntity: stateTopicNotFound, kindSecret: stateSecretNotFound, kindSchemaRegistry: stateRegistryNotFound,
	kindComputePool: statePoolNotFound, kindFunctionSource: stateFuncSrcNotFound,
	kindDescriptorSource: stateDescSrcNotFound, kindFunction: stateFunctionNotFound, kindRole: stateRoleNotFound,
	kindQuery: stateQueryNotFound, kindStream: stateRelNotFound, kindChangelog: stateRelNotFound,
	kindMaterializedView: stateRelNotFound, kindRelation: stateRelNotFound,
}

var existsStates = map[objKind]string{
	kindDatabase: stateDatabaseExists, kindSchema: stateSchemaExists, kindStore: stateStoreExists,
	kindEntity: stateTopicExists, kindSecret: stateSecretExists, kindSchemaRegistry: stateRegistryExists,
	kindComputePool: statePoolExists, kindFunctionSource: stateFuncSrcExists,
	kindDescriptorSource: stateObjectExists, kindFunction: stateFunctionExists,
	kindStream: stateRelationExists, kindChangelog: stateRelationExists, kindMaterializedView: stateRelationExists,
}

func notFound(kind objKind, path ...string) error {
	return errorf(notFoundStates[kind], "%s %s not found", typeWord(kind), fqn(path...))
}

func alreadyExists(kind objKind, path ...string) error {
	return errorf(existsStates[kind], "%s %s already exists", typeWord(kind), fqn(path...))
}

// objectScope resolves the scope and name of a non-relation object.
func (x *exec) objectScope(kind objKind, q qname, in qname) (scope, name string, err error) {
	switch kind {
	case kindSchema:
		if len(q.parts) == 2 {
			return q.parts[0], q.parts[1], nil
		}
		scope = x.sess.db
		if len(in.parts) > 0 {
			scope = in.parts[0]
		}
		if scope == "" {
			return "", "", errorf(stateDatabaseNotFound, "no database is selected: run USE DATABASE or write CREATE SCHEMA s IN DATABASE d")
		}
		return scope, q.last(), nil
	case kindEntity:
		scope = x.sess.store
		if len(in.parts) > 0 {
			scope = in.parts[0]
		}
		if _, ok, err := x.getObject(kindStore, "", scope); err != nil || !ok {
			if err != nil {
				return "", "", err
			}
			return "", "", notFound(kindStore, scope)
		}
		return scope, q.last(), nil
	}
	return "", q.last(), nil
}

// objPath is the path of an object for messages and the Path column.
func objPath(kind objKind, scope, name string) []string {
	if scope == "" || kind == kindEntity {
		return []string{name}
	}
	return []string{scope, name}
}

func (x *exec) create(s *createStmt) (*result, error) {
	switch s.kind {
	case kindStream, kindChangelog, kindMaterializedView:
		return x.createRelation(s)
	}
	if s.asSelect != nil {
		return nil, unsupported("CREATE " + strings.ToUpper(string(s.kind)) + " ... AS SELECT")
	}
	scope, name, err := x.objectScope(s.kind, s.name, s.in)
	if err != nil {
		return nil, err
	}
	path := objPath(s.kind, scope, name)
	if s.kind == kindSchema {
		if _, ok, err := x.getObject(kindDatabase, "", scope); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, notFound(kindDatabase, scope)
		}
	}
	if _, ok, err := x.getObject(s.kind, scope, name); err != nil {
		return nil, err
	} else if ok {
		if s.ifNotExists {
			return commandResult(s.kind, "CREATE", typeWord(s.kind)+" "+fqn(path...)+" already exists", path...), nil
		}
		return nil, alreadyExists(s.kind, path...)
	}
	props := propMap(s.props)
	switch s.kind {
	case kindStore:
		if props["type"] == "" {
			props["type"] = "KAFKA"
		}
		props["type"] = strings.ToUpper(props["type"])
	case kindFunctionSource, kindDescriptorSource:
		if err := x.storeAttachment(s.kind, name, props); err != nil {
			return nil, err
		}
	}
	if err := x.putObject(s.kind, scope, name, props); err != nil {
		return nil, err
	}
	if s.kind == kindDatabase {
		if err := x.putObject(kindSchema, name, defaultSchema, nil); err != nil {
			return nil, err
		}
	}
	return commandResult(s.kind, "CREATE", created(s.kind, path...), path...), nil
}

// storeAttachment keeps the attachment a FUNCTION_SOURCE or
// DESCRIPTOR_SOURCE names in its 'file' property, for the download route.
func (x *exec) storeAttachment(kind objKind, name string, props map[string]string) error {
	file := props["file"]
	if file == "" {
		return errorf(stateMissingParameter, "CREATE %s needs WITH ('file' = '<attachment name>') and the file attached to the request", strings.ToUpper(string(kind)))
	}
	for _, a := range x.sub.Attachments {
		if a.Name == file {
			_, err := x.tx.ExecContext(x.ctx, `INSERT OR REPLACE INTO ds_blobs(kind, name, file, data) VALUES (?, ?, ?, ?)`, string(kind), name, file, a.Data)
			return err
		}
	}
	return errorf(stateMissingParameter, "the file %s is not attached to the request: attach it with the filename %s", quoteText(file), quoteText(file))
}

func (x *exec) drop(s *dropStmt) (*result, error) {
	switch s.kind {
	case kindStream, kindChangelog, kindMaterializedView, kindRelation:
		return x.dropRelation(s)
	}
	scope, name, err := x.objectScope(s.kind, s.name, s.in)
	if err != nil {
		return nil, err
	}
	path := objPath(s.kind, scope, name)
	if _, ok, err := x.getObject(s.kind, scope, name); err != nil {
		return nil, err
	} else if !ok {
		if s.ifExists {
			return commandResult(s.kind, "DROP", typeWord(s.kind)+" "+fqn(path...)+" does not exist", path...), nil
		}
		return nil, notFound(s.kind, path...)
	}
	if err := x.checkUnused(s.kind, scope, name); err != nil {
		return nil, err
	}
	if err := x.deleteObject(s.kind, scope, name); err != nil {
		return nil, err
	}
	var cascade string
	switch s.kind {
	case kindDatabase:
		cascade = `DELETE FROM ds_objects WHERE kind = 'schema' AND scope = ?`
	case kindStore:
		cascade = `DELETE FROM ds_objects WHERE kind = 'entity' AND scope = ?`
	case kindFunctionSource, kindDescriptorSource:
		cascade = `DELETE FROM ds_blobs WHERE kind = '` + string(s.kind) + `' AND name = ?`
	}
	if cascade != "" {
		if _, err := x.tx.ExecContext(x.ctx, cascade, name); err != nil {
			return nil, err
		}
	}
	return commandResult(s.kind, "DROP", dropped(s.kind, path...), path...), nil
}

// checkUnused fails with 2BP01 when relations still depend on the object.
func (x *exec) checkUnused(kind objKind, scope, name string) error {
	var where string
	var args []any
	switch kind {
	case kindDatabase:
		where, args = "db = ?", []any{name}
	case kindSchema:
		where, args = "db = ? AND schema_name = ?", []any{scope, name}
	case kindStore:
		where, args = "store = ?", []any{name}
	case kindEntity:
		where, args = "store = ? AND topic = ?", []any{scope, name}
	default:
		return nil
	}
	rels, err := x.relations(where, args...)
	if err != nil || len(rels) == 0 {
		return err
	}
	return errorf(stateDependent, "cannot drop %s %s: relation %s still uses it; drop the relations first",
		typeWord(kind), fqn(objPath(kind, scope, name)...), fqn(rels[0].path()...))
}

func (x *exec) use(s *useStmt) (*result, error) {
	n := *x.sess
	var path []string
	switch s.kind {
	case kindDatabase:
		name := s.name.last()
		if _, ok, err := x.getObject(kindDatabase, "", name); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, notFound(kindDatabase, name)
		}
		n.db, n.schema = name, ""
		if _, ok, _ := x.getObject(kindSchema, name, defaultSchema); ok {
			n.schema = defaultSchema
		}
		path = []string{name}
	case kindSchema:
		db := x.sess.db
		if len(s.name.parts) == 2 {
			db = s.name.parts[0]
		}
		name := s.name.last()
		if err := x.requireSchema(db, name); err != nil {
			return nil, err
		}
		n.db, n.schema = db, name
		path = []string{db, name}
	default:
		name := s.name.last()
		if _, ok, err := x.getObject(s.kind, "", name); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, notFound(s.kind, name)
		}
		switch s.kind {
		case kindStore:
			n.store = name
		case kindRole:
			n.role = name
		case kindComputePool:
			n.pool = name
		}
		path = []string{name}
	}
	res := commandResult(s.kind, "USE", "using "+typeWord(s.kind)+" "+fqn(path...), path...)
	res.use = &n
	return res, nil
}
