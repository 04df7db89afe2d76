package deltastream

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// resume reads the answer of statements submitted earlier (WithResume):
// the first id is looked up at once and polled while it runs; the others
// of a batch are read later (Exec: awaitRest, Query: NextResultSet).
func (c *Conn) resume(ctx context.Context, query string, ids []string) (*resultStream, error) {
	discardAttachments(ctx) // nothing is submitted
	if c.closed {
		return nil, driver.ErrBadConn
	}
	if err := checkResume(query, ids); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := pending{id: ids[0], start: time.Now(), resumed: true}
	if len(ids) > 1 {
		p.ids = ids
	}
	resp, err := c.client.getStatement(ctx, &c.client.cp, p.id, -1, c.params())
	if err != nil {
		return nil, withStatement(p.id, "resuming", unknownStatement(err))
	}
	st, err := openResult(resp, p.id, -1)
	if err != nil {
		return nil, err
	}
	if p.ids != nil && !st.running() {
		// A GET does not list the batch: the caller did.
		st.rs.StatementIDs = p.ids
	}
	return c.complete(ctx, p, st)
}

// checkResume validates the arguments of a resumed statement.
func checkResume(query string, ids []string) error {
	if strings.TrimSpace(query) != "" {
		return errors.New("deltastream: WithResume reads the result of a statement submitted earlier and sends no SQL: pass an empty query")
	}
	if len(ids) == 0 {
		return errors.New("deltastream: WithResume needs the id of at least one statement")
	}
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return fmt.Errorf("deltastream: WithResume: statement id %d of %d is empty", i+1, len(ids))
		}
	}
	return nil
}

// resumeExec waits for statements submitted earlier and reports the first
// failure, like Exec.
func (c *Conn) resumeExec(ctx context.Context, query string, ids []string) (driver.Result, error) {
	st, err := c.resume(ctx, query, ids)
	if err != nil {
		return nil, err
	}
	defer st.close()
	if err := c.awaitRest(ctx, st.rs, true); err != nil {
		return nil, err
	}
	return result{st.rs}, nil
}

// resumeQuery reads the result of statements submitted earlier.
func (c *Conn) resumeQuery(ctx context.Context, query string, ids []string) (driver.Rows, error) {
	st, err := c.resume(ctx, query, ids)
	if err != nil {
		return nil, err
	}
	streaming := isStreaming(st.rs)
	rows, err := c.openRows(ctx, st, true)
	if err != nil && streaming && ctx.Err() == nil {
		return nil, streamGone(ids[0], err)
	}
	return rows, err
}

// streamGone explains why a resumed continuous query could not be
// reconnected: the service serves its stream only while it runs, and it
// ends when its first reader disconnects.
func streamGone(id string, err error) error {
	var se *statementError
	if errors.As(err, &se) && se.id == id {
		err = se.err
	}
	var de *Error
	if errors.As(err, &de) && (de.HTTPStatus == http.StatusNotFound || de.HTTPStatus == http.StatusGone) {
		de.unknownStatement = true
	}
	return &statementError{id: id, op: "resuming a continuous query", err: fmt.Errorf("the service no longer serves its stream (a continuous query ends when its first reader disconnects); run the query again: %w", err)}
}

// unknownStatement marks a 404 answer to a GET of a statement by id: the
// service does not know the id, which matches ErrNotFound.
func unknownStatement(err error) error {
	var de *Error
	if errors.As(err, &de) && de.HTTPStatus == http.StatusNotFound && de.State == "" {
		de.unknownStatement = true
	}
	return err
}

// isStreaming reports whether rs is the answer of a continuous query.
func isStreaming(rs *wire.ResultSet) bool {
	kind, _ := dataplaneKind(rs)
	return kind == wire.RequestStreaming
}
