package emulator

import (
	"sort"
	"strings"
)

// sysTable is one deltastream.sys table: its columns and the SQLite
// query over the catalog that produces them as c0, c1, ....
type sysTable struct {
	cols []column
	sql  string
}

func sysCols(spec ...string) []column {
	out := make([]column, 0, len(spec))
	for _, s := range spec {
		name, typ, _ := strings.Cut(s, " ")
		nullable := strings.HasSuffix(typ, "?")
		typ = strings.TrimSuffix(typ, "?")
		out = append(out, column{Name: name, Type: typ, NotNull: !nullable, t: parseType(typ)})
	}
	return out
}

// objectsSQL selects objects of a kind with the given extra columns
// between name and owner.
func objectsSQL(kind objKind, extra ...string) string {
	cols := []string{"name"}
	cols = append(cols, extra...)
	cols = append(cols, "owner", "created_at", "updated_at")
	for i := range cols {
		cols[i] += " AS " + colName(i)
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM ds_objects WHERE kind = '" + string(kind) + "')"
}

// sqlFQN is the SQLite expression of a relation's quoted path.
const sqlFQN = `'"' || replace(db, '"', '""') || '"."' || replace(schema_name, '"', '""') || '"."' || replace(name, '"', '""') || '"'`

// systemTables are the tables of deltastream.sys, with the columns
// DeltaStream's Terraform provider reads (see WIRE.md).
var systemTables = map[string]sysTable{
	"databases": {
		cols: sysCols("name VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindDatabase),
	},
	"schemas": {
		cols: sysCols("name VARCHAR", "database_name VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindSchema, "scope"),
	},
	"stores": {
		cols: sysCols("name VARCHAR", "type VARCHAR", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindStore, "coalesce(json_extract(props, '$.type'), 'KAFKA')", "'ready'"),
	},
	"entities": {
		cols: sysCols("name VARCHAR", "store_name VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindEntity, "scope"),
	},
	"secrets": {
		cols: sysCols("name VARCHAR", "type VARCHAR", "description VARCHAR?", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindSecret, "coalesce(json_extract(props, '$.type'), 'generic_string')", "json_extract(props, '$.description')", "'ready'"),
	},
	"schema_registries": {
		cols: sysCols("name VARCHAR", "type VARCHAR", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindSchemaRegistry, "coalesce(json_extract(props, '$.type'), 'CONFLUENT')", "'ready'"),
	},
	"compute_pools": {
		cols: sysCols("name VARCHAR", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindComputePool, "'running'"),
	},
	"functions": {
		cols: sysCols("name VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindFunction),
	},
	"function_sources": {
		cols: sysCols("name VARCHAR", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindFunctionSource, "'ready'"),
	},
	"descriptor_sources": {
		cols: sysCols("name VARCHAR", "status VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql:  objectsSQL(kindDescriptorSource, "'ready'"),
	},
	"relations": {
		cols: sysCols("name VARCHAR", "database_name VARCHAR", "schema_name VARCHAR", "fqn VARCHAR", "relation_type VARCHAR",
			"owner VARCHAR", "state VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql: "(SELECT name AS c0, db AS c1, schema_name AS c2, " + sqlFQN + " AS c3, type AS c4, owner AS c5, state AS c6, created_at AS c7, updated_at AS c8 FROM ds_relations)",
	},
	"queries": {
		cols: sysCols("id VARCHAR", "name VARCHAR?", "version INTEGER?", "intended_state VARCHAR", "current_state VARCHAR",
			"error_message VARCHAR?", "query_text VARCHAR", "owner VARCHAR", "created_at TIMESTAMP_LTZ", "updated_at TIMESTAMP_LTZ"),
		sql: "(SELECT id AS c0, name AS c1, version AS c2, intended_state AS c3, current_state AS c4, error_message AS c5, sql AS c6, owner AS c7, created_at AS c8, updated_at AS c9 FROM ds_queries)",
	},
}

// systemRelation resolves deltastream.sys.<table>; ok=false for other
// names.
func systemRelation(q qname) (*relation, bool, error) {
	if len(q.parts) != 3 || q.parts[0] != "deltastream" || q.parts[1] != "sys" {
		return nil, false, nil
	}
	t, ok := systemTables[q.parts[2]]
	if !ok {
		names := make([]string, 0, len(systemTables))
		for n := range systemTables {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, true, errorf(stateRelNotFound, "system table %s not found; deltastream.sys has %s", fqn(q.parts...), strings.Join(names, ", "))
	}
	return &relation{db: "deltastream", schema: "sys", name: q.parts[2], typ: kindRelation, cols: t.cols, source: t.sql, system: true, owner: defaultRole}, true, nil
}
