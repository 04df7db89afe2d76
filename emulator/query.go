package emulator

import (
	"strconv"

	"github.com/deltastream-go/deltastream/internal/server"
)

// inMemoryPartitions is how many partitions of a result the emulator
// keeps encoded in memory; a larger result is spilled to a SQLite
// temporary table and its partitions are produced on demand.
const inMemoryPartitions = 4

// maxSpilledResults is how many spilled results are kept; older ones are
// dropped, and reading their partitions fails with a message that says to
// run the query again. A result whose statement the server forgets is
// dropped then (pageSource.Release) and no longer counts.
const maxSpilledResults = 8

// query runs a bounded SELECT and renders its rows. A SELECT over a
// materialized view answers on the dataplane result-set route.
func (x *exec) query(s *selectStmt) (*result, error) {
	p, err := x.plan(s)
	if err != nil {
		return nil, err
	}
	if p.simple && p.rel.typ == kindMaterializedView {
		return x.viewPages(p)
	}
	res, complete, err := x.readPartitions(p)
	if err != nil || complete {
		return res, err
	}
	return x.spill(p)
}

// readPartitions runs the plan and encodes its rows one partition at a
// time. complete=false means the result has more than
// inMemoryPartitions partitions and was abandoned.
func (x *exec) readPartitions(p *plan) (res *result, complete bool, err error) {
	rows, err := x.tx.QueryContext(x.ctx, p.sql)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	res = &result{cols: p.cols, dataplane: p.rel.typ == kindMaterializedView, paged: true}
	size := x.e.cfg.PartitionSize
	n := len(p.cols)
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	page := make([][]*string, 0, min(size, 1024))
	for rows.Next() {
		if len(res.parts) == inMemoryPartitions {
			return nil, false, nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, false, err
		}
		row := make([]*string, n)
		for i, v := range vals {
			row[i] = render(p.types[i], v, x.sess.loc)
		}
		page = append(page, row)
		if len(page) == size {
			res.parts = append(res.parts, server.NewPartition(page))
			clear(page)
			page = page[:0]
		}
	}
	if len(page) > 0 {
		res.parts = append(res.parts, server.NewPartition(page))
	}
	return res, true, rows.Err()
}

// spill stores a large result in a temporary table (on disk for a data
// file, in SQLite's temporary storage otherwise) inside the statement's
// transaction, so it is the snapshot the statement saw, and answers with
// partitions produced on demand from it.
func (x *exec) spill(p *plan) (*result, error) {
	x.e.spilled++
	name := "temp.res" + strconv.FormatInt(x.e.spilled, 10)
	if _, err := x.tx.ExecContext(x.ctx, "CREATE TABLE "+name+" AS "+p.sql); err != nil {
		return nil, err
	}
	var total int64
	if err := x.tx.QueryRowContext(x.ctx, "SELECT count(*) FROM "+name).Scan(&total); err != nil {
		return nil, err
	}
	x.e.spills = append(x.e.spills, name)
	for len(x.e.spills) > maxSpilledResults {
		if _, err := x.tx.ExecContext(x.ctx, "DROP TABLE IF EXISTS "+x.e.spills[0]); err != nil {
			return nil, err
		}
		x.e.spills = x.e.spills[1:]
	}
	size := int64(x.e.cfg.PartitionSize)
	ps := &pageSource{e: x.e, types: p.types, loc: x.sess.loc,
		check: "SELECT 1 FROM " + name + " LIMIT 1",
		gone:  "this result has expired: the local emulator keeps the last " + strconv.Itoa(maxSpilledResults) + " large results; run the query again",
		sql:   "SELECT * FROM " + name + " WHERE rowid >= ? ORDER BY rowid LIMIT ?", table: name}
	for start := int64(0); start < total; start += size {
		ps.starts = append(ps.starts, start+1)
		ps.counts = append(ps.counts, min(size, total-start))
	}
	return &result{cols: p.cols, dataplane: p.rel.typ == kindMaterializedView, paged: true, pages: ps}, nil
}
