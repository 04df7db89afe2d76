package emulator

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/types"
)

// readBatch is the most log rows a continuous reader holds at a time. A
// reader reads the next batch only once the previous one is written to
// its WebSocket, so a slow client holds at most one batch in memory and
// pushes back on nothing else: the rows wait in the store.
const readBatch = 256

// isContinuous reports whether s is an interactive SELECT over a stream,
// which never ends and answers over the dataplane WebSocket.
func (x *exec) isContinuous(s *selectStmt) bool {
	if len(s.from.parts) == 0 {
		return false
	}
	r, err := x.lookupRelation(s.from)
	return err == nil && !r.system && r.typ == kindStream
}

// startEarliest reports whether WITH properties ask to read from the
// beginning of the source.
func startEarliest(props []prop) (bool, error) {
	for _, p := range props {
		switch strings.ToLower(p.key) {
		case "starting.position":
			switch strings.ToLower(p.value) {
			case "earliest":
				return true, nil
			case "latest":
				return false, nil
			default:
				return false, unsupported("'starting.position' = " + quoteText(p.value) + " (the emulator reads from 'earliest' or 'latest')")
			}
		case "from_beginning":
			return true, nil
		}
	}
	return false, nil
}

// continuous answers an interactive SELECT over a stream: the plan is
// fixed now, the rows flow when a client opens the WebSocket.
func (x *exec) continuous(s *selectStmt) (*result, error) {
	switch {
	case s.join != nil:
		return nil, unsupported("JOIN in an interactive continuous query (create a stream with it instead)")
	case s.window != nil:
		return nil, unsupported(strings.ToUpper(s.window.kind) + " in an interactive continuous query (create a changelog or materialized view with it instead)")
	case len(s.orderBy) > 0:
		return nil, unsupported("ORDER BY in a continuous query over a stream")
	case s.distinct:
		return nil, unsupported("SELECT DISTINCT in a continuous query over a stream")
	case len(s.groupBy) > 0 || s.having != nil || hasAggregate(s):
		return nil, unsupported("an aggregation in an interactive continuous query (create a changelog or materialized view with it instead)")
	}
	earliest, err := startEarliest(s.props)
	if err != nil {
		return nil, err
	}
	cp := *s
	cp.limit = -1
	x.streaming = true
	p, err := x.plan(&cp)
	x.streaming = false
	if err != nil {
		return nil, err
	}
	start := int64(0)
	if !earliest {
		if start, err = x.logEnd(p.rel.id); err != nil {
			return nil, err
		}
	}
	cs := &logReader{e: x.e, rel: p.rel.id, name: fqn(p.rel.path()...), sql: p.sql, types: p.types, loc: x.sess.loc, start: start, limit: s.limit}
	return &result{cols: p.cols, stream: cs}, nil
}

// logEnd is the offset of the last row of a relation's log (0 when
// empty).
func (x *exec) logEnd(rel int64) (int64, error) {
	var end int64
	err := x.tx.QueryRowContext(x.ctx, `SELECT coalesce(max(_seq), 0) FROM `+logTable(rel)).Scan(&end)
	return end, err
}

// logReader is the server.Stream of a continuous query: every WebSocket
// connection reads the log of rel from start, through the plan's SQL,
// and then waits for appends. It is safe for concurrent use: each
// connection keeps its own offset.
type logReader struct {
	e     *engine
	rel   int64
	name  string
	sql   string // the plan over the log between ?1 (exclusive) and ?2
	types []*types.Type
	loc   *time.Location
	start int64
	limit int64 // -1: until the client closes
	// readHook, when set (tests), hears how many rows each read holds.
	readHook func(n int)
}

// Serve implements server.Stream.
func (c *logReader) Serve(ctx context.Context, send func(context.Context, []*string) error) error {
	lo, sent := c.start, int64(0)
	if c.limit == 0 {
		return nil
	}
	for {
		wake := c.e.hub.signal(c.rel)
		hi, rows, err := c.read(ctx, lo)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return &server.StreamError{SQLCode: stateInternal, Message: "reading " + c.name + " failed (was it dropped?): " + err.Error()}
		}
		for _, row := range rows {
			if err := send(ctx, row); err != nil {
				return err
			}
			if sent++; c.limit > 0 && sent >= c.limit {
				return nil
			}
		}
		if hi > lo {
			lo = hi
			continue
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// read returns the rendered rows of the next batch of the log after lo
// and the offset the batch ends at (lo when nothing is new).
func (c *logReader) read(ctx context.Context, lo int64) (int64, [][]*string, error) {
	var end int64
	if err := c.e.db.QueryRowContext(ctx, `SELECT coalesce(max(_seq), 0) FROM `+logTable(c.rel)).Scan(&end); err != nil {
		return lo, nil, err
	}
	if end <= lo {
		return lo, nil, nil
	}
	hi := min(end, lo+readBatch)
	rows, err := c.e.db.QueryContext(ctx, c.sql, lo, hi)
	if err != nil {
		return lo, nil, err
	}
	out, err := renderRows(rows, c.types, c.loc)
	if c.readHook != nil {
		c.readHook(len(out))
	}
	return hi, out, err
}

// renderRows reads and closes rows, rendering each cell as wire text.
func renderRows(rows *sql.Rows, ts []*types.Type, loc *time.Location) ([][]*string, error) {
	defer rows.Close()
	n := len(ts)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out [][]*string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, n)
		for i, v := range vals {
			row[i] = render(ts[i], v, loc)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
