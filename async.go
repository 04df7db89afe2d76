package deltastream

import (
	"context"
	"database/sql/driver"
	"io"
	"reflect"
)

// queryAsync submits a statement and returns Rows at once (WithAsync): a
// statement still running is waited for on first use of the Rows.
func (c *Conn) queryAsync(ctx context.Context, query string) (driver.Rows, error) {
	st, p, err := c.submit(ctx, query)
	if err != nil {
		return nil, err
	}
	if !st.running() {
		if st, err = c.complete(ctx, p, st); err != nil {
			return nil, err
		}
		return c.openRows(ctx, st, false)
	}
	st.close()
	return &asyncRows{c: c, ctx: ctx, p: p}, nil
}

// asyncRows are the Rows of a statement that was running when QueryContext
// returned (WithAsync). The first call of any method waits for the
// statement, bounded by the query's ctx, and opens the real Rows, to which
// every call is then handed. database/sql calls Columns before the first
// Next, so that is usually where the wait happens; when it fails, Columns
// returns none and Next returns the error.
//
// Like every driver.Rows it is used by one goroutine at a time: database/sql
// does not close Rows while a Next is running, and the wait ends when the
// query's ctx does.
type asyncRows struct {
	c     *Conn
	ctx   context.Context
	p     pending
	inner driver.Rows // once the statement has finished
	err   error       // the wait's failure, sticky
	done  bool        // waited (or closed before that)
}

var (
	_ driver.Rows                           = (*asyncRows)(nil)
	_ driver.RowsNextResultSet              = (*asyncRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*asyncRows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*asyncRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*asyncRows)(nil)
	_ driver.RowsColumnTypeLength           = (*asyncRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*asyncRows)(nil)
)

// wait waits for the statement once and opens its Rows.
func (a *asyncRows) wait() {
	if a.done {
		return
	}
	a.done = true
	st, err := a.c.complete(a.ctx, a.p, nil)
	if err == nil {
		a.inner, err = a.c.openRows(a.ctx, st, false)
	}
	a.err = err
}

// Columns implements driver.Rows; it waits for the statement.
func (a *asyncRows) Columns() []string {
	if a.wait(); a.inner == nil {
		return nil
	}
	return a.inner.Columns()
}

// Next implements driver.Rows; it waits for the statement.
func (a *asyncRows) Next(dest []driver.Value) error {
	if a.wait(); a.err != nil {
		return a.err
	}
	if a.inner == nil { // closed before the wait
		return io.EOF
	}
	return a.inner.Next(dest)
}

// Close implements driver.Rows. Closing before the statement has finished
// does not stop it: it runs on, and WithResume can read it later.
func (a *asyncRows) Close() error {
	a.done = true
	if a.inner == nil {
		return nil
	}
	return a.inner.Close()
}

// HasNextResultSet implements driver.RowsNextResultSet.
func (a *asyncRows) HasNextResultSet() bool {
	a.wait()
	r, ok := a.inner.(driver.RowsNextResultSet)
	return ok && r.HasNextResultSet()
}

// NextResultSet implements driver.RowsNextResultSet.
func (a *asyncRows) NextResultSet() error {
	if a.wait(); a.err != nil {
		return a.err
	}
	if r, ok := a.inner.(driver.RowsNextResultSet); ok {
		return r.NextResultSet()
	}
	return io.EOF
}

// The ColumnType methods are called by database/sql only after Columns,
// i.e. once the statement has finished and only for the columns it has;
// before that they report nothing.

// ColumnTypeScanType implements driver.RowsColumnTypeScanType.
func (a *asyncRows) ColumnTypeScanType(i int) reflect.Type {
	if r, ok := a.inner.(driver.RowsColumnTypeScanType); ok {
		return r.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

// ColumnTypeDatabaseTypeName implements driver.RowsColumnTypeDatabaseTypeName.
func (a *asyncRows) ColumnTypeDatabaseTypeName(i int) string {
	if r, ok := a.inner.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return r.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

// ColumnTypeNullable implements driver.RowsColumnTypeNullable.
func (a *asyncRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if r, ok := a.inner.(driver.RowsColumnTypeNullable); ok {
		return r.ColumnTypeNullable(i)
	}
	return false, false
}

// ColumnTypeLength implements driver.RowsColumnTypeLength.
func (a *asyncRows) ColumnTypeLength(i int) (length int64, ok bool) {
	if r, ok := a.inner.(driver.RowsColumnTypeLength); ok {
		return r.ColumnTypeLength(i)
	}
	return 0, false
}

// ColumnTypePrecisionScale implements driver.RowsColumnTypePrecisionScale.
func (a *asyncRows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	if r, ok := a.inner.(driver.RowsColumnTypePrecisionScale); ok {
		return r.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}
