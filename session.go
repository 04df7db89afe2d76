package deltastream

import (
	"context"
	"database/sql"

	"github.com/deltastream-go/deltastream/internal/types"
	"github.com/deltastream-go/deltastream/internal/wire"
)

// Session is the context a connection runs its statements in. Every field
// is sent with every statement; an empty field is not sent, so the service
// uses the default of the token's user.
type Session struct {
	Organization string // organization name or UUID
	Role         string
	Database     string
	Schema       string
	Store        string
	ComputePool  string
}

// sessionFromConfig is the session a new or reset connection starts from.
func sessionFromConfig(cfg *Config) Session {
	return Session{
		Organization: cfg.Organization,
		Role:         cfg.Role,
		Database:     cfg.Database,
		Schema:       cfg.Schema,
		Store:        cfg.Store,
		ComputePool:  cfg.ComputePool,
	}
}

// adopt applies the effective context the service returned with a result:
// a missing or empty field means unchanged.
func (s *Session) adopt(c *wire.Context) {
	if c == nil {
		return
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&s.Organization, c.OrganizationID)
	set(&s.Role, c.RoleName)
	set(&s.Database, c.DatabaseName)
	set(&s.Schema, c.SchemaName)
	set(&s.Store, c.StoreName)
	set(&s.ComputePool, c.ComputePoolName)
}

// CurrentSession returns the session context of conn: the DSN's values,
// changed by every USE statement run on conn since it left the pool. After
// the service answered a statement, Organization holds the organization's
// UUID.
func CurrentSession(ctx context.Context, conn *sql.Conn) (Session, error) {
	var s Session
	err := withConn(conn, func(c *Conn) error {
		s = c.session
		return nil
	})
	return s, err
}

// SetSession replaces the session context of conn for its next statements,
// as a USE statement would, without a round trip. Tools that switch
// organization or role per operation hold a *sql.Conn and call SetSession.
// The change lasts until conn returns to the pool, where ResetSession
// restores the DSN's values.
func SetSession(ctx context.Context, conn *sql.Conn, s Session) error {
	return withConn(conn, func(c *Conn) error {
		c.session = s
		return nil
	})
}

// StatementInfo describes a statement that the driver ran.
type StatementInfo struct {
	// ID is the statement id DeltaStream assigned; quote it to support.
	ID string
	// Position is the 1-based position of the statement in a batch, 0 for
	// a single statement.
	Position int
	// Columns are the columns of its result, if it has one.
	Columns []ColumnInfo
}

// ColumnInfo describes one result column.
type ColumnInfo struct {
	Name string
	// Type is the full type string as the service sent it, e.g.
	// "DECIMAL(10, 2)" or "ARRAY<INTEGER NOT NULL>".
	// sql.ColumnType.DatabaseTypeName holds only the base name.
	Type     string
	Nullable bool
}

type infoKey struct{}

// WithStatementInfo returns a context that calls fn with the id and result
// columns of every statement run with it once the statement has finished,
// whether it succeeded or failed (or the wait for it ended). For a batch
// fn is called once per statement, as each is read. Failed statements also
// carry their id in the error (see StatementIDOf). To get the id as soon as
// the service has accepted the statement, before it finishes, use
// WithStatementAccepted; to follow the wait, WithProgress. fn is called on
// the goroutine that runs the statement.
func WithStatementInfo(ctx context.Context, fn func(StatementInfo)) context.Context {
	return context.WithValue(ctx, infoKey{}, fn)
}

// reportInfo tells the WithStatementInfo hook of ctx, if any, about the
// statement id at position pos; rs, when not nil, is its answer.
func reportInfo(ctx context.Context, id string, pos int, rs *wire.ResultSet) {
	fn, ok := ctx.Value(infoKey{}).(func(StatementInfo))
	if !ok || fn == nil {
		return
	}
	info := StatementInfo{ID: id, Position: pos}
	if rs != nil {
		info.Columns = columnInfos(metaColumns(rs))
	}
	fn(info)
}

func columnInfos(cols []wire.Column) []ColumnInfo {
	if len(cols) == 0 {
		return nil
	}
	out := make([]ColumnInfo, len(cols))
	for i, c := range cols {
		// Like ColumnTypeNullable: a type string ending in NOT NULL is not
		// nullable whatever the metadata flag says.
		col := types.NewColumn(c.Name, c.Type, c.IsNullable(), nil, nil, nil)
		out[i] = ColumnInfo{Name: c.Name, Type: c.Type, Nullable: col.Nullable}
	}
	return out
}
