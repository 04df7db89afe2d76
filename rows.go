package deltastream

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// rows reads a result partition by partition: partition 0 from the answer
// that finished the statement, the next ones from GET
// /statements/{id}?partitionID=N, fetched ahead by a prefetcher. Rows are
// decoded from the body as it streams in, one at a time, into reused
// buffers; a consumed partition is released.
//
// For a batch, each statement's result is one result set (NextResultSet).
type rows struct {
	c   *Conn
	ctx context.Context // the query's; the prefetcher derives its own

	// The result being read.
	ep *endpoint
	id string // statement whose partitions are read
	columnSet
	st     *resultStream // current partition, nil once all are read
	part   int
	nparts int
	rowN   int // rows read in the current partition
	pf     *prefetcher
	row    wire.Row

	// Batch.
	ids     []string
	pos     int
	resumed bool // WithResume: the session does not adopt the contexts

	err    error // sticky
	closed bool
}

var (
	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsNextResultSet              = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
	_ driver.RowsColumnTypeLength           = (*rows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*rows)(nil)
)

func (c *Conn) query(ctx context.Context, query string) (driver.Rows, error) {
	if ids, ok := resumeIDs(ctx); ok {
		return c.resumeQuery(ctx, query, ids)
	}
	if isAsync(ctx) {
		return c.queryAsync(ctx, query)
	}
	st, err := c.run(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.openRows(ctx, st, false)
}

// openRows returns the Rows of a finished statement whose first answer is
// st: a stream for a continuous query, else a result read by partitions.
// resumed says that the statement was read through WithResume.
func (c *Conn) openRows(ctx context.Context, st *resultStream, resumed bool) (driver.Rows, error) {
	kind, err := dataplaneKind(st.rs)
	if err != nil {
		st.close()
		return nil, withStatement(st.rs.StatementID, "", err)
	}
	if kind == wire.RequestStreaming {
		return c.openStream(ctx, st)
	}
	r := &rows{c: c, ctx: ctx, ids: st.rs.StatementIDs, resumed: resumed}
	if err := r.open(st, &c.client.cp, st.rs.StatementID); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

func dataplane(rs *wire.ResultSet) *wire.DataplaneRequest {
	if rs.Metadata == nil {
		return nil
	}
	return rs.Metadata.DataplaneRequest
}

// dataplaneKind says where the rows of a result live: "" for the answer
// itself, wire.RequestResultSet or wire.RequestStreaming for the dataplane.
// The request type is matched case-insensitively; an unknown one is an
// error naming it, never a result read as if it had no rows. A
// dataplaneRequest without type, token and uri is no request.
func dataplaneKind(rs *wire.ResultSet) (string, error) {
	dp := dataplane(rs)
	if dp == nil || dp.RequestType == "" && dp.Token == "" && dp.URI == "" {
		return "", nil
	}
	for _, kind := range []string{wire.RequestResultSet, wire.RequestStreaming} {
		if strings.EqualFold(dp.RequestType, kind) {
			return kind, nil
		}
	}
	return "", fmt.Errorf("the answer's dataplane requestType %s is unknown: the driver reads %q and %q; a newer driver may know it",
		quoteText([]byte(dp.RequestType)), wire.RequestResultSet, wire.RequestStreaming)
}

// open starts reading the result whose first answer is st.
func (r *rows) open(st *resultStream, ep *endpoint, id string) error {
	kind, err := dataplaneKind(st.rs)
	if err != nil {
		st.close()
		return withStatement(id, "", err)
	}
	if dp := dataplane(st.rs); kind == wire.RequestResultSet {
		// The rows live on the dataplane: page them from there.
		st.close()
		dpEp, err := dataplaneEndpoint(r.c.connector.cfg, dp)
		if err != nil {
			return withStatement(id, "", err)
		}
		dpEp.tokens.renew = r.c.renewDataplaneToken(id)
		dpID := dp.StatementID
		if dpID == "" {
			dpID = id
		}
		if st, err = r.c.fetch(r.ctx, dpEp, dpID, 0); err != nil {
			return maskAnswer(err, r.c.connector.cfg.Token)
		}
		ep, id = dpEp, dpID
	} else if kind == wire.RequestStreaming {
		st.close()
		return withStatement(id, "", errors.New("a continuous query cannot be part of a batch; run it on its own"))
	}
	r.ep, r.id, r.st = ep, id, st
	r.part, r.rowN = 0, 0
	md := st.rs.Metadata
	if md == nil {
		if st.hasRows {
			return withStatement(id, "", errors.New("the answer holds rows but no column metadata"))
		}
		md = &wire.Metadata{}
	}
	r.set(md.Columns, r.c.connector.loc)
	switch {
	case md.PartitionInfo == nil:
		r.nparts = 1 // no partition info: the rows in this answer are all there is
	default:
		r.nparts = len(md.PartitionInfo)
	}
	if r.nparts == 0 {
		r.st.close()
		r.st = nil
		return nil
	}
	if st.refetch {
		// Partition 0 was too large to set aside before its columns were
		// known: now they are, read it again, streaming.
		st.close()
		if r.st, err = r.c.refetch(r.ctx, ep, id); err != nil {
			return maskAnswer(err, r.c.connector.cfg.Token)
		}
	}
	if depth := r.c.connector.cfg.Prefetch; depth > 0 && r.nparts > 1 {
		r.pf = startPrefetch(r.ctx, r.c, ep, id, 1, r.nparts, depth)
	}
	return nil
}

// Next implements driver.Rows: it decodes the next row into dest, moving
// to the next partition when one is exhausted.
func (r *rows) Next(dest []driver.Value) error {
	if r.err != nil {
		return r.err
	}
	for r.st != nil {
		ok, err := r.st.dec.Next(&r.row)
		if err != nil {
			return r.fail(r.decodeError(err))
		}
		if ok {
			r.rowN++
			return r.convert(dest)
		}
		if err := r.st.finish(r.id); err != nil {
			if ctxErr := r.ctx.Err(); ctxErr != nil {
				return r.fail(withStatement(r.id, "", ctxErr))
			}
			return r.fail(r.partError(err))
		}
		r.st.close()
		r.st = nil
		if err := r.advance(); err != nil {
			return r.fail(err)
		}
	}
	return io.EOF
}

func (r *rows) convert(dest []driver.Value) error {
	if err := r.checkCells(&r.row); err != nil {
		return r.fail(r.partError(fmt.Errorf("row %d %w", r.rowN, err)))
	}
	if err := r.columnSet.convert(&r.row, dest); err != nil {
		return r.fail(r.partError(fmt.Errorf("row %d: %w", r.rowN, err)))
	}
	return nil
}

// refetch gets partition 0 of statement id again, with the columns known
// from the first read: its rows stream as they arrive.
func (c *Conn) refetch(ctx context.Context, ep *endpoint, id string) (*resultStream, error) {
	resp, err := c.client.getStatement(ctx, ep, id, 0, c.params())
	if err != nil {
		return nil, partitionError(id, 0, err)
	}
	st, err := openAnswer(resp, id, 0, true)
	if err != nil {
		return nil, err
	}
	if st.running() {
		st.close()
		return nil, partitionError(id, 0, errors.New("the service answered that the finished statement is still running"))
	}
	if err := st.sqlError(id); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}

// advance opens the next partition, if there is one.
func (r *rows) advance() error {
	r.part++
	r.rowN = 0
	if r.part >= r.nparts {
		return nil
	}
	var st *resultStream
	var err error
	if r.pf != nil {
		st, err = r.pf.next(r.ctx)
		if err == io.EOF {
			err = r.partError(errors.New("partition missing from prefetch"))
		}
	} else {
		st, err = r.c.fetch(r.ctx, r.ep, r.id, r.part)
	}
	if err != nil {
		return partitionError(r.id, r.part, maskAnswer(err, r.c.connector.cfg.Token))
	}
	r.st = st
	return nil
}

func (r *rows) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	r.release()
	return r.err
}

func (r *rows) decodeError(err error) error {
	if ctxErr := r.ctx.Err(); ctxErr != nil {
		return withStatement(r.id, "", ctxErr)
	}
	return r.partError(fmt.Errorf("malformed result: %w", err))
}

func (r *rows) partError(err error) error {
	return partitionError(r.id, r.part, err)
}

// partitionError names the statement and partition an error concerns.
func partitionError(id string, part int, err error) error {
	var de *Error
	if errors.As(err, &de) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return withStatement(id, "", err)
	}
	var se *statementError
	if errors.As(err, &se) {
		return err
	}
	return &statementError{id: id, op: fmt.Sprintf("partition %d", part), err: err}
}

// release stops every fetch and closes the current body.
func (r *rows) release() {
	r.pf.stop()
	r.pf = nil
	r.st.close()
	r.st = nil
}

// Close implements driver.Rows. It stops every fetch at once and waits for
// the prefetch goroutines; closing early fetches nothing more. It is
// idempotent.
func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.release()
	return nil
}

// HasNextResultSet implements driver.RowsNextResultSet.
func (r *rows) HasNextResultSet() bool { return r.err == nil && r.pos+1 < len(r.ids) }

// NextResultSet implements driver.RowsNextResultSet: it moves to the result
// of the next statement of a batch, waiting for it if it still runs.
func (r *rows) NextResultSet() error {
	if !r.HasNextResultSet() {
		return io.EOF
	}
	r.release()
	r.pos++
	id := r.ids[r.pos]
	st, err := r.c.fetch(r.ctx, &r.c.client.cp, id, -1)
	if err != nil {
		reportInfo(r.ctx, id, r.pos+1, nil)
		return r.fail(batchError(err, r.pos+1))
	}
	if !r.resumed {
		r.c.session.adopt(metaContext(st.rs))
	}
	reportInfo(r.ctx, id, r.pos+1, st.rs)
	if err := r.open(st, &r.c.client.cp, id); err != nil {
		return r.fail(err)
	}
	return nil
}
