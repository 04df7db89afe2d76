package emulator

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/deltastream-go/deltastream/internal/types"
)

// relation is a stream, changelog or materialized view (or a system
// table, which has no id and reads from a SQLite subquery).
type relation struct {
	id               int64
	db, schema, name string
	typ              objKind
	cols             []column
	pk               []string
	props            map[string]string
	store, topic     string
	owner, state     string
	created, updated string
	// source is what a SELECT reads from: the table (or current-state
	// table of a changelog), or a subquery for a system table.
	source string
	system bool
	// window, when set, makes this the windowed view of a relation with
	// two more columns, window_start and window_end (window.go).
	window *windowSpec
	// join, when set, makes this the joined view of a stream and a
	// changelog (join.go).
	join *joinRel
}

// column is a relation column as kept in the catalog.
type column struct {
	Name    string      `json:"name"`
	Type    string      `json:"type"`
	NotNull bool        `json:"notNull,omitempty"`
	t       *types.Type // parsed Type
}

// logTable is the append log of relation id: _seq is the offset of a
// row, c0... its columns.
func logTable(id int64) string { return "r" + strconv.FormatInt(id, 10) }

// stateTable is the current state of a changelog, keyed by its primary
// key.
func stateTable(id int64) string { return "s" + strconv.FormatInt(id, 10) }

// colName is the SQLite column of the i-th relation column.
func colName(i int) string { return "c" + strconv.Itoa(i) }

// path is the relation's path.
func (r *relation) path() []string { return []string{r.db, r.schema, r.name} }

// colIndex finds a column by name; -1 when missing.
func (r *relation) colIndex(name string) int {
	for i, c := range r.cols {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// relPath resolves a relation name against the session.
func (x *exec) relPath(q qname) (db, schema, name string, err error) {
	switch len(q.parts) {
	case 1:
		db, schema, name = x.sess.db, x.sess.schema, q.parts[0]
	case 2:
		db, schema, name = x.sess.db, q.parts[0], q.parts[1]
	default:
		db, schema, name = q.parts[0], q.parts[1], q.parts[2]
	}
	if db == "" {
		return "", "", "", errorf(stateDatabaseNotFound, "no database is selected: run USE DATABASE or qualify the name as database.schema.relation")
	}
	if schema == "" {
		return "", "", "", errorf(stateSchemaNotFound, "no schema is selected: run USE SCHEMA or qualify the name")
	}
	return db, schema, name, nil
}

// lookupRelation resolves and loads a relation; system tables resolve
// too. It fails with 3D002/3D003/3D020 naming what is missing.
func (x *exec) lookupRelation(q qname) (*relation, error) {
	if r, ok, err := systemRelation(q); ok || err != nil {
		return r, err
	}
	db, schema, name, err := x.relPath(q)
	if err != nil {
		return nil, err
	}
	r, ok, err := x.loadRelation(db, schema, name)
	if err != nil || ok {
		return r, err
	}
	if err := x.requireSchema(db, schema); err != nil {
		return nil, err
	}
	return nil, errorf(stateRelNotFound, "relation %s not found: LIST RELATIONS shows the relations of the current schema", fqn(db, schema, name))
}

// requireSchema fails with 3D002 or 3D003 when db or db.schema is missing.
func (x *exec) requireSchema(db, schema string) error {
	if _, ok, err := x.getObject(kindDatabase, "", db); err != nil || !ok {
		if err != nil {
			return err
		}
		return errorf(stateDatabaseNotFound, "database %s not found", fqn(db))
	}
	if _, ok, err := x.getObject(kindSchema, db, schema); err != nil || !ok {
		if err != nil {
			return err
		}
		return errorf(stateSchemaNotFound, "schema %s not found", fqn(db, schema))
	}
	return nil
}

const relationColumns = `id, db, schema_name, name, type, columns, primary_key, props, store, topic, owner, state, created_at, updated_at`

// scanRelation reads a row of relationColumns.
func scanRelation(scan func(...any) error) (*relation, error) {
	r := &relation{}
	var cols, pk, props, typ string
	if err := scan(&r.id, &r.db, &r.schema, &r.name, &typ, &cols, &pk, &props, &r.store, &r.topic, &r.owner, &r.state, &r.created, &r.updated); err != nil {
		return nil, err
	}
	r.typ = objKind(typ)
	_ = json.Unmarshal([]byte(cols), &r.cols)
	_ = json.Unmarshal([]byte(pk), &r.pk)
	_ = json.Unmarshal([]byte(props), &r.props)
	for i := range r.cols {
		r.cols[i].t = parseType(r.cols[i].Type)
	}
	r.source = logTable(r.id)
	if r.typ == kindChangelog {
		r.source = stateTable(r.id)
	}
	return r, nil
}

// loadRelation loads a relation by path.
func (x *exec) loadRelation(db, schema, name string) (*relation, bool, error) {
	row := x.tx.QueryRowContext(x.ctx, `SELECT `+relationColumns+` FROM ds_relations WHERE db = ? AND schema_name = ? AND name = ?`, db, schema, name)
	r, err := scanRelation(row.Scan)
	if errNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return r, true, nil
}

// relations lists relations matching a WHERE clause over ds_relations.
func (x *exec) relations(where string, args ...any) ([]*relation, error) {
	rows, err := x.tx.QueryContext(x.ctx, `SELECT `+relationColumns+` FROM ds_relations WHERE `+where+` ORDER BY db, schema_name, name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*relation
	for rows.Next() {
		r, err := scanRelation(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// insertRelation records a relation and creates its tables.
func (x *exec) insertRelation(r *relation, sqlText string) error {
	cols, _ := json.Marshal(r.cols)
	pk, _ := json.Marshal(r.pk)
	if r.pk == nil {
		pk = []byte("[]")
	}
	props, _ := json.Marshal(r.props)
	res, err := x.tx.ExecContext(x.ctx, `INSERT INTO ds_relations(db, schema_name, name, type, columns, primary_key, props, store, topic, owner, state, sql, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)`,
		r.db, r.schema, r.name, string(r.typ), string(cols), string(pk), string(props), r.store, r.topic, x.sess.role, sqlText, x.stamp(), x.stamp())
	if err != nil {
		return err
	}
	if r.id, err = res.LastInsertId(); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("CREATE TABLE " + logTable(r.id) + " (_seq INTEGER PRIMARY KEY AUTOINCREMENT, _ts INTEGER")
	for i, c := range r.cols {
		b.WriteString(", " + colName(i) + " " + storageClass(c.t))
	}
	b.WriteString(")")
	if _, err := x.tx.ExecContext(x.ctx, b.String()); err != nil {
		return err
	}
	if r.typ != kindChangelog {
		return nil
	}
	b.Reset()
	b.WriteString("CREATE TABLE " + stateTable(r.id) + " (_seq INTEGER NOT NULL")
	for i, c := range r.cols {
		b.WriteString(", " + colName(i) + " " + storageClass(c.t))
	}
	b.WriteString(", PRIMARY KEY (")
	for i, k := range r.pk {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(colName(r.colIndex(k)))
	}
	b.WriteString("))")
	_, err = x.tx.ExecContext(x.ctx, b.String())
	return err
}

// deleteRelation removes a relation and its tables.
func (x *exec) deleteRelation(r *relation) error {
	if _, err := x.tx.ExecContext(x.ctx, `DELETE FROM ds_relations WHERE id = ?`, r.id); err != nil {
		return err
	}
	if _, err := x.tx.ExecContext(x.ctx, `DROP TABLE IF EXISTS `+logTable(r.id)); err != nil {
		return err
	}
	_, err := x.tx.ExecContext(x.ctx, `DROP TABLE IF EXISTS `+stateTable(r.id))
	return err
}
