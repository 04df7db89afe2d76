package deltastream

import (
	"context"
	"database/sql/driver"

	"github.com/deltastream-go/deltastream/internal/bind"
)

// Stmt is a prepared statement. DeltaStream has no server-side prepared
// statements or bind parameters, so preparing is client-side: the
// placeholders are found once, and each execution renders its arguments
// into the SQL text as literals (see the README, "Parameters"). A Stmt is
// immutable; database/sql makes it safe for concurrent use.
type Stmt struct {
	c   *Conn
	tpl *bind.Template
}

var (
	_ driver.Stmt              = (*Stmt)(nil)
	_ driver.StmtExecContext   = (*Stmt)(nil)
	_ driver.StmtQueryContext  = (*Stmt)(nil)
	_ driver.NamedValueChecker = (*Stmt)(nil)
)

func newStmt(c *Conn, query string) (*Stmt, error) {
	tpl, err := bind.Parse(query)
	if err != nil {
		return nil, err
	}
	return &Stmt{c: c, tpl: tpl}, nil
}

// Close implements driver.Stmt. It releases nothing: preparing allocated
// nothing on the server.
func (s *Stmt) Close() error { return nil }

// NumInput implements driver.Stmt: the number of placeholders (for named
// placeholders, the number of distinct names), so database/sql rejects a
// wrong argument count before anything is sent.
func (s *Stmt) NumInput() int { return s.tpl.NumInput() }

// Exec implements driver.Stmt; database/sql calls ExecContext instead.
func (s *Stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), namedValues(args))
}

// Query implements driver.Stmt; database/sql calls QueryContext instead.
func (s *Stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), namedValues(args))
}

// ExecContext implements driver.StmtExecContext.
func (s *Stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	query, err := s.render(args)
	if err != nil {
		discardAttachments(ctx)
		return nil, err
	}
	return s.c.exec(ctx, query)
}

// QueryContext implements driver.StmtQueryContext.
func (s *Stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	query, err := s.render(args)
	if err != nil {
		discardAttachments(ctx)
		return nil, err
	}
	return s.c.query(ctx, query)
}

// CheckNamedValue implements driver.NamedValueChecker.
func (s *Stmt) CheckNamedValue(nv *driver.NamedValue) error { return checkNamedValue(nv) }

func (s *Stmt) render(args []driver.NamedValue) (string, error) {
	if len(args) == 0 && s.tpl.NumInput() == 0 {
		return s.tpl.Query(), nil
	}
	return s.tpl.Render(args)
}

// bindQuery renders args into query. A query without arguments is sent
// byte for byte as written.
func bindQuery(query string, args []driver.NamedValue) (string, error) {
	if len(args) == 0 {
		return query, nil
	}
	tpl, err := bind.Parse(query)
	if err != nil {
		return "", err
	}
	return tpl.Render(args)
}

// checkNamedValue accepts every type the binder renders (uuid.UUID,
// sql.Null*, pointers and any driver.Valuer included) and keeps the value
// in the form the binder wants. A value the binder cannot render is left
// as it is: rendering then fails inside Exec or Query, with the argument's
// position in the message and the statement's attachments closed.
func checkNamedValue(nv *driver.NamedValue) error {
	if v, err := bind.ConvertValue(nv.Value); err == nil {
		nv.Value = v
	}
	return nil
}

func namedValues(args []driver.Value) []driver.NamedValue {
	nv := make([]driver.NamedValue, len(args))
	for i, v := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return nv
}

// QuoteIdentifier quotes s as a DeltaStream identifier: in double quotes,
// with each " doubled. Use it to build DDL with names that come from data;
// a quoted name keeps its case.
func QuoteIdentifier(s string) string { return bind.QuoteIdentifier(s) }

// QuoteString quotes s as a DeltaStream string literal: in single quotes,
// with each ' doubled. It fails for strings the service would reject, such
// as ones holding a line break (send those as attachments with
// WithAttachment).
func QuoteString(s string) (string, error) { return bind.QuoteString(s) }
