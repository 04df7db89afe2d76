package emulator

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// The defaults of a fresh emulator.
const (
	defaultOrgName  = "local"
	defaultRole     = "sysadmin"
	defaultDatabase = "db"
	defaultSchema   = "public"
	defaultStore    = "local"
)

// builtinRoles are the roles every organization has.
var builtinRoles = []string{"orgadmin", "public", "securityadmin", "sysadmin", "useradmin"}

// session is the context one statement runs in: what the request carried,
// with defaults filled in, and changed by USE inside a batch.
type session struct {
	role, db, schema, store, pool string
	loc                           *time.Location
	tz                            string
}

// newSession builds the context of a request. Unknown names are kept:
// the statements that need them fail with the not-found state.
func (e *engine) newSession(req *wire.StatementRequest) (*session, *sqlError) {
	s := &session{role: req.Role, db: req.Database, schema: req.Schema, store: req.Store, pool: req.ComputePool}
	if org := req.Organization; org != "" && org != e.orgID && !strings.EqualFold(org, defaultOrgName) {
		if id, err := uuid.Parse(org); err != nil || id.String() != e.orgID {
			return nil, errorf("3D004", "organization %s not found; the local emulator has one organization, %q (%s)", quoteText(org), defaultOrgName, e.orgID)
		}
	}
	if s.role == "" {
		s.role = defaultRole
	}
	if s.db == "" {
		s.db = defaultDatabase
		if s.schema == "" {
			s.schema = defaultSchema
		}
	}
	if s.schema == "" {
		s.schema = defaultSchema
	}
	if s.store == "" {
		s.store = defaultStore
	}
	s.tz = "UTC"
	s.loc = time.UTC
	if req.Parameters != nil && req.Parameters.Timezone != "" {
		loc, err := time.LoadLocation(req.Parameters.Timezone)
		if err != nil {
			return nil, errorf(stateInvalidParameter, "unknown timezone %s: use an IANA zone name such as Europe/Paris", quoteText(req.Parameters.Timezone))
		}
		s.tz, s.loc = req.Parameters.Timezone, loc
	}
	return s, nil
}

// context is the metadata.context of an answer.
func (e *engine) context(s *session) *wire.Context {
	return &wire.Context{
		OrganizationID:  e.orgID,
		RoleName:        s.role,
		DatabaseName:    s.db,
		SchemaName:      s.schema,
		StoreName:       s.store,
		ComputePoolName: s.pool,
	}
}

// initCatalog creates the organization id and the default objects the
// first time a data file (or memory store) is used.
func initCatalog(ctx context.Context, db *sql.DB, now string) (orgID string, err error) {
	err = db.QueryRowContext(ctx, `SELECT value FROM ds_meta WHERE key = 'organization_id'`).Scan(&orgID)
	if err == nil {
		return orgID, nil
	}
	if !errNoRows(err) {
		return "", err
	}
	orgID = uuid.NewString()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `INSERT INTO ds_meta(key, value) VALUES ('organization_id', ?), ('format', '1')`, orgID); err != nil {
		return "", err
	}
	ins := `INSERT INTO ds_objects(kind, scope, name, owner, props, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`
	seed := [][3]string{
		{string(kindDatabase), "", defaultDatabase},
		{string(kindSchema), defaultDatabase, defaultSchema},
	}
	for _, r := range builtinRoles {
		seed = append(seed, [3]string{string(kindRole), "", r})
	}
	for _, o := range seed {
		if _, err := tx.ExecContext(ctx, ins, o[0], o[1], o[2], defaultRole, "{}", now, now); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, ins, string(kindStore), "", defaultStore, defaultRole, `{"type":"KAFKA","uris":"local://emulator"}`, now, now); err != nil {
		return "", err
	}
	return orgID, tx.Commit()
}
