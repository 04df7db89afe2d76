package emulator

import (
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/deltastream-go/deltastream/internal/server"
	"github.com/deltastream-go/deltastream/internal/types"
)

// viewPages answers a simple SELECT over a materialized view with pages
// produced on demand: the statement only finds where each partition
// starts, and every partition is read from SQLite when a client asks for
// it. A view's query updates its rows in place (keyed upserts keep their
// _seq) and appends new ones after the last, so a page read later holds
// the rows the statement found, with their values as they are when the
// page is read; memory stays bounded by one partition whatever the size
// of the view.
func (x *exec) viewPages(p *plan) (*result, error) {
	where := ""
	if p.where != "" {
		where = " WHERE " + p.where
	}
	rows, err := x.tx.QueryContext(x.ctx, "SELECT _r._seq FROM "+p.rel.source+" AS _r"+where+" ORDER BY _r._seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	size := int64(x.e.cfg.PartitionSize)
	vp := &pageSource{e: x.e, types: p.types, loc: x.sess.loc,
		check: "SELECT 1 FROM ds_relations WHERE id = " + strconv.FormatInt(p.rel.id, 10),
		gone:  "materialized view " + fqn(p.rel.path()...) + " was dropped while its rows were read"}
	var n int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		if n%size == 0 {
			vp.starts = append(vp.starts, seq)
			vp.counts = append(vp.counts, 0)
		}
		vp.counts[len(vp.counts)-1]++
		n++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	vp.sql = "SELECT " + p.selectSQL + " FROM " + p.rel.source + " AS _r WHERE _r._seq >= ?"
	if p.where != "" {
		vp.sql += " AND (" + p.where + ")"
	}
	vp.sql += " ORDER BY _r._seq LIMIT ?"
	return &result{cols: p.cols, dataplane: true, paged: true, pages: vp}, nil
}

var _ server.Releaser = (*pageSource)(nil)

// pageSource implements server.PageSource over rows SQLite keeps: a
// materialized view, or a spilled result.
type pageSource struct {
	e      *engine
	check  string  // query that finds a row while the rows still exist
	gone   string  // error message once they do not
	sql    string  // reads count rows from start: args start, count
	table  string  // the spilled result's temporary table; "" for a view
	starts []int64 // _seq or rowid of the first row of each partition
	counts []int64
	types  []*types.Type
	loc    *time.Location
}

// Release implements server.Releaser: the server has forgotten the
// statement and no request reads it any more, so a spilled result's
// temporary table is dropped at once and its place among the last
// maxSpilledResults is freed. A view's pages hold nothing to release.
// Safe for concurrent use (it takes the engine's lock).
func (s *pageSource) Release() {
	if s.table == "" {
		return
	}
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	i := slices.Index(s.e.spills, s.table)
	if s.e.closed || i < 0 {
		return // already dropped as one of the older results, or closing
	}
	s.e.spills = slices.Delete(s.e.spills, i, i+1)
	if _, err := s.e.db.Exec("DROP TABLE IF EXISTS " + s.table); err != nil {
		s.e.cfg.Logger.Warn("emulator: drop a released result", "table", s.table, "err", err)
	}
}

// RowCounts implements server.PageSource.
func (s *pageSource) RowCounts() []int64 { return s.counts }

// Page implements server.PageSource.
func (s *pageSource) Page(n int) (server.Partition, error) {
	s.e.mu.Lock()
	defer s.e.mu.Unlock()
	if s.e.closed {
		return server.Partition{}, errors.New("the local emulator is shutting down")
	}
	var one int
	if err := s.e.db.QueryRow(s.check).Scan(&one); err != nil {
		return server.Partition{}, errors.New(s.gone)
	}
	rows, err := s.e.db.Query(s.sql, s.starts[n], s.counts[n])
	if err != nil {
		return server.Partition{}, err
	}
	defer rows.Close()
	width := len(s.types)
	vals := make([]any, width)
	ptrs := make([]any, width)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	out := make([][]*string, 0, s.counts[n])
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return server.Partition{}, err
		}
		row := make([]*string, width)
		for i, v := range vals {
			row[i] = render(s.types[i], v, s.loc)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return server.Partition{}, err
	}
	return server.NewPartition(out), nil
}
