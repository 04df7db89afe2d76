package emulator

import (
	"github.com/deltastream-go/deltastream/internal/wire"
)

// col is a result column.
func col(name, typ string, nullable bool) wire.Column {
	return wire.Column{Name: name, Type: typ, Nullable: &nullable}
}

const ltz = "TIMESTAMP_LTZ"

var ltzType = parseType(ltz)

// str is a non-NULL cell.
func str(s string) *string { return &s }

// boolCell is a BOOLEAN cell.
func boolCell(b bool) *string {
	if b {
		return str("true")
	}
	return str("false")
}

// ltzCell renders a stored timestamp as TIMESTAMP_LTZ in the session's
// zone.
func (x *exec) ltzCell(stored string) *string { return render(ltzType, stored, x.sess.loc) }

var (
	colName_   = col("Name", "VARCHAR", false)
	colOwner   = col("Owner", "VARCHAR", false)
	colCreated = col("CreatedAt", ltz, false)
	colUpdated = col("UpdatedAt", ltz, false)
)

func (x *exec) list(s *listStmt) (*result, error) {
	switch s.what {
	case kindDatabase, kindSchema:
		scope, def := "", x.sess.db
		if s.what == kindSchema {
			scope, def = x.sess.db, defaultSchema
			if len(s.in.parts) > 0 && s.in.parts[0] != "" {
				scope = s.in.parts[0]
			}
			if _, ok, err := x.getObject(kindDatabase, "", scope); err != nil || !ok {
				if err != nil {
					return nil, err
				}
				return nil, notFound(kindDatabase, scope)
			}
		}
		objs, err := x.objects(s.what, scope)
		if err != nil {
			return nil, err
		}
		res := &result{cols: []wire.Column{colName_, col("IsDefault", "BOOLEAN", false), colOwner, colCreated}}
		for _, o := range objs {
			res.rows = append(res.rows, []*string{str(o.name), boolCell(o.name == def), str(o.owner), x.ltzCell(o.created)})
		}
		return res, nil
	case kindStore:
		objs, err := x.objects(kindStore, "")
		if err != nil {
			return nil, err
		}
		res := &result{cols: []wire.Column{colName_, col("Type", "VARCHAR", false), col("State", "VARCHAR", false), col("Message", "VARCHAR", true),
			col("IsDefault", "BOOLEAN", false), colOwner, colCreated, colUpdated, col("Path", "VARCHAR", false)}}
		for _, o := range objs {
			res.rows = append(res.rows, []*string{str(o.name), str(o.props["type"]), str("ready"), nil, boolCell(o.name == x.sess.store),
				str(o.owner), x.ltzCell(o.created), x.ltzCell(o.updated), str(pathJSON(o.name))})
		}
		return res, nil
	case kindEntity:
		store := x.sess.store
		if len(s.in.parts) > 0 {
			store = s.in.parts[0]
		}
		if _, ok, err := x.getObject(kindStore, "", store); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			return nil, notFound(kindStore, store)
		}
		objs, err := x.objects(kindEntity, store)
		if err != nil {
			return nil, err
		}
		res := &result{cols: []wire.Column{colName_, col("IsLeaf", "BOOLEAN", false)}}
		for _, o := range objs {
			res.rows = append(res.rows, []*string{str(o.name), boolCell(true)})
		}
		return res, nil
	case kindRelation, kindStream, kindChangelog, kindMaterializedView:
		return x.listRelations(s)
	case kindQuery:
		return x.listQueries()
	}
	objs, err := x.objects(s.what, "")
	if err != nil {
		return nil, err
	}
	res := &result{cols: []wire.Column{colName_, col("Type", "VARCHAR", false), col("Properties", "VARCHAR", false), colOwner, colCreated, colUpdated}}
	for _, o := range objs {
		res.rows = append(res.rows, []*string{str(o.name), str(typeWord(s.what)), str(maskedJSON(o.props)), str(o.owner), x.ltzCell(o.created), x.ltzCell(o.updated)})
	}
	return res, nil
}

func (x *exec) listRelations(s *listStmt) (*result, error) {
	db, schema := x.sess.db, x.sess.schema
	switch len(s.in.parts) {
	case 1:
		db, schema = s.in.parts[0], ""
	case 2:
		if s.in.parts[0] != "" {
			db = s.in.parts[0]
		}
		schema = s.in.parts[1]
	}
	if err := x.requireSchema(db, orDefault(schema, defaultSchema)); err != nil && (schema != "" || errState(err) == stateDatabaseNotFound) {
		return nil, err
	}
	where, args := "db = ?", []any{db}
	if schema != "" {
		where, args = where+" AND schema_name = ?", append(args, schema)
	}
	if s.what != kindRelation {
		where, args = where+" AND type = ?", append(args, string(s.what))
	}
	rels, err := x.relations(where, args...)
	if err != nil {
		return nil, err
	}
	res := &result{cols: []wire.Column{colName_, col("Type", "VARCHAR", false), col("State", "VARCHAR", false), colOwner, colCreated, colUpdated, col("Path", "VARCHAR", false)}}
	for _, r := range rels {
		res.rows = append(res.rows, []*string{str(r.name), str(typeWord(r.typ)), str(relState(r)), str(r.owner), x.ltzCell(r.created), x.ltzCell(r.updated), str(pathJSON(r.path()...))})
	}
	return res, nil
}

// listQueries answers LIST QUERIES with the service's columns.
func (x *exec) listQueries() (*result, error) {
	rows, err := x.tx.QueryContext(x.ctx, `SELECT id, name, version, intended_state, current_state, sql, owner, created_at, updated_at FROM ds_queries ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	res := &result{cols: []wire.Column{col("ID", "VARCHAR", false), col("Name", "VARCHAR", true), col("Version", "INTEGER", true),
		col("IntendedState", "VARCHAR", false), col("ActualState", "VARCHAR", false), col("Query", "VARCHAR", false), colOwner, colCreated, colUpdated}}
	for rows.Next() {
		var id, intended, actual, q, owner, created, updated string
		var name, version *string
		if err := rows.Scan(&id, &name, &version, &intended, &actual, &q, &owner, &created, &updated); err != nil {
			return nil, err
		}
		res.rows = append(res.rows, []*string{str(id), name, version, str(intended), str(actual), str(q), str(owner), x.ltzCell(created), x.ltzCell(updated)})
	}
	return res, rows.Err()
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// errState is the SQL state of err, "" when it has none.
func errState(err error) string {
	if se, ok := err.(*sqlError); ok {
		return se.state
	}
	return ""
}
