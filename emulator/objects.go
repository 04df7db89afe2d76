package emulator

import (
	"encoding/json"
	"sort"
	"strings"
)

// object is a row of ds_objects: a database, schema, store, entity,
// secret, schema registry, compute pool, function (source), descriptor
// source or role.
type object struct {
	kind             objKind
	scope, name      string
	owner            string
	props            map[string]string
	created, updated string
}

// getObject loads one object; ok=false when it does not exist.
func (x *exec) getObject(kind objKind, scope, name string) (*object, bool, error) {
	o := &object{kind: kind, scope: scope, name: name}
	var props string
	err := x.tx.QueryRowContext(x.ctx, `SELECT owner, props, created_at, updated_at FROM ds_objects WHERE kind = ? AND scope = ? AND name = ?`,
		string(kind), scope, name).Scan(&o.owner, &props, &o.created, &o.updated)
	if errNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	_ = json.Unmarshal([]byte(props), &o.props)
	return o, true, nil
}

// objects lists the objects of a kind in a scope, by name.
func (x *exec) objects(kind objKind, scope string) ([]*object, error) {
	rows, err := x.tx.QueryContext(x.ctx, `SELECT name, owner, props, created_at, updated_at FROM ds_objects WHERE kind = ? AND scope = ? ORDER BY name`,
		string(kind), scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*object
	for rows.Next() {
		o := &object{kind: kind, scope: scope}
		var props string
		if err := rows.Scan(&o.name, &o.owner, &props, &o.created, &o.updated); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(props), &o.props)
		out = append(out, o)
	}
	return out, rows.Err()
}

// putObject inserts a new object.
func (x *exec) putObject(kind objKind, scope, name string, props map[string]string) error {
	b, _ := json.Marshal(props)
	_, err := x.tx.ExecContext(x.ctx, `INSERT INTO ds_objects(kind, scope, name, owner, props, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(kind), scope, name, x.sess.role, string(b), x.stamp(), x.stamp())
	return err
}

// deleteObject removes an object.
func (x *exec) deleteObject(kind objKind, scope, name string) error {
	_, err := x.tx.ExecContext(x.ctx, `DELETE FROM ds_objects WHERE kind = ? AND scope = ? AND name = ?`, string(kind), scope, name)
	return err
}

// propMap turns WITH properties into a map (keys lower-cased).
func propMap(ps []prop) map[string]string {
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[strings.ToLower(p.key)] = p.value
	}
	return m
}

// secretWords mark property keys whose values are masked in LIST and
// DESCRIBE.
var secretWords = []string{"password", "secret", "token", "credential", "private", "sasl.jaas", "key.pem", "access.key", "api.key"}

// isSecretKey reports whether a property's value must be masked.
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// maskedJSON is the JSON text of props with secret values masked, keys
// in order.
func maskedJSON(props map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := make(map[string]string, len(props))
	for _, k := range keys {
		v := props[k]
		if isSecretKey(k) {
			v = "********"
		}
		m[k] = v
	}
	b, _ := json.Marshal(m) // encoding/json sorts map keys
	return string(b)
}

// pathJSON is the Path column text of an object path.
func pathJSON(parts ...string) string {
	b, _ := json.Marshal(parts)
	return string(b)
}

// fqn is the quoted, dot-joined path of an object: "db"."public"."x".
func fqn(parts ...string) string {
	q := make([]string, len(parts))
	for i, p := range parts {
		q[i] = `"` + strings.ReplaceAll(p, `"`, `""`) + `"`
	}
	return strings.Join(q, ".")
}
