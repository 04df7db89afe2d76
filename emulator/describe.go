package emulator

import (
	"encoding/json"
	"strings"

	"github.com/deltastream-go/deltastream/internal/wire"
)

func (x *exec) describe(s *describeStmt) (*result, error) {
	switch s.kind {
	case kindRelation, kindStream, kindChangelog, kindMaterializedView:
		return x.describeRelation(s)
	case kindStore:
		return x.describeStore(s.name.last())
	case kindEntity:
		return x.describeEntity(s)
	}
	scope, name, err := x.objectScope(s.kind, s.name, s.in)
	if err != nil {
		return nil, err
	}
	o, ok, err := x.getObject(s.kind, scope, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(s.kind, objPath(s.kind, scope, name)...)
	}
	return &result{
		cols: []wire.Column{col("Name", "VARCHAR", false), col("Type", "VARCHAR", false), col("Properties", "VARCHAR", false),
			col("Owner", "VARCHAR", false), col("CreatedAt", ltz, false), col("UpdatedAt", ltz, false), col("Path", "VARCHAR", false)},
		rows: [][]*string{{str(name), str(typeWord(s.kind)), str(maskedJSON(o.props)), str(o.owner), x.ltzCell(o.created), x.ltzCell(o.updated),
			str(pathJSON(objPath(s.kind, scope, name)...))}},
	}, nil
}

func (x *exec) describeRelation(s *describeStmt) (*result, error) {
	r, err := x.lookupRelation(s.name)
	if err != nil {
		return nil, err
	}
	if s.kind != kindRelation && r.typ != s.kind {
		return nil, errorf(stateRelNotFound, "%s %s not found: it is a %s", typeWord(s.kind), fqn(r.path()...), typeWord(r.typ))
	}
	if s.columns {
		res := &result{cols: []wire.Column{col("Name", "VARCHAR", false), col("Type", "VARCHAR", false), col("Nullable", "BOOLEAN", false), col("Properties", "VARCHAR", false)}}
		for _, c := range r.cols {
			props := map[string]string{}
			for _, k := range r.pk {
				if k == c.Name {
					props["primary.key"] = "true"
				}
			}
			if r.props["timestamp"] == c.Name {
				props["timestamp"] = "true"
			}
			b, _ := json.Marshal(props)
			res.rows = append(res.rows, []*string{str(c.Name), str(c.Type), boolCell(!c.NotNull), str(string(b))})
		}
		return res, nil
	}
	props := map[string]string{}
	for k, v := range r.props {
		props[k] = v
	}
	if !r.system {
		props["store"], props["topic"] = r.store, r.topic
	}
	if len(r.pk) > 0 {
		props["primary.key"] = strings.Join(r.pk, ",")
	}
	return &result{
		cols: []wire.Column{col("Name", "VARCHAR", false), col("Type", "VARCHAR", false), col("State", "VARCHAR", false), col("Properties", "VARCHAR", false),
			col("Owner", "VARCHAR", false), col("CreatedAt", ltz, true), col("UpdatedAt", ltz, true), col("Path", "VARCHAR", false)},
		rows: [][]*string{{str(r.name), str(typeWord(r.typ)), str(relState(r)), str(maskedJSON(props)), str(r.owner),
			x.ltzCell(r.created), x.ltzCell(r.updated), str(pathJSON(r.path()...))}},
	}, nil
}

func relState(r *relation) string {
	if r.state == "" {
		return "created"
	}
	return r.state
}

// describeStore answers the seven columns DeltaStream's Terraform provider
// scans: type, uris, properties (JSON, secrets masked), is default, TLS
// hostname verification, schema registry, path.
func (x *exec) describeStore(name string) (*result, error) {
	o, ok, err := x.getObject(kindStore, "", name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, notFound(kindStore, name)
	}
	var reg *string
	if v := o.props["schema_registry.name"]; v != "" {
		reg = str(v)
	}
	verify := o.props["tls.verify_server_hostname"] != "false"
	return &result{
		cols: []wire.Column{col("Type", "VARCHAR", false), col("Uris", "VARCHAR", false), col("Properties", "VARCHAR", false),
			col("IsDefault", "BOOLEAN", false), col("TlsVerifyServerHostname", "BOOLEAN", false), col("SchemaRegistryName", "VARCHAR", true), col("Path", "VARCHAR", false)},
		rows: [][]*string{{str(o.props["type"]), str(o.props["uris"]), str(maskedJSON(o.props)), boolCell(name == x.sess.store), boolCell(verify), reg, str(pathJSON(name))}},
	}, nil
}

func (x *exec) describeEntity(s *describeStmt) (*result, error) {
	scope, name, err := x.objectScope(kindEntity, s.name, s.in)
	if err != nil {
		return nil, err
	}
	o, ok, err := x.getObject(kindEntity, scope, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(stateTopicNotFound, "entity %s not found in store %s", fqn(name), fqn(scope))
	}
	return &result{
		cols: []wire.Column{col("Name", "VARCHAR", false), col("Store", "VARCHAR", false), col("Properties", "VARCHAR", false), col("Path", "VARCHAR", false)},
		rows: [][]*string{{str(name), str(scope), str(maskedJSON(o.props)), str(pathJSON(name))}},
	}, nil
}

// Download implements server.Downloader: the attachment of a
// FUNCTION_SOURCE or DESCRIPTOR_SOURCE. organizationID may be the
// organization's UUID or its name.
func (e *engine) Download(kind, organizationID, name string) ([]byte, bool) {
	if organizationID != e.orgID && !strings.EqualFold(organizationID, defaultOrgName) {
		return nil, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, false
	}
	var data []byte
	if err := e.db.QueryRow(`SELECT data FROM ds_blobs WHERE kind = ? AND name = ?`, kind, name).Scan(&data); err != nil {
		return nil, false
	}
	return data, true
}
