package emulator

import (
	"strconv"
	"strings"
)

// Limits of one SQLite INSERT statement.
const (
	insertChunkRows = 500
	maxSQLiteParams = 32766
)

// insert appends rows to a stream, or to a changelog's log while
// upserting its current state by primary key. The statement is atomic:
// one bad value rejects every row.
func (x *exec) insert(s *insertStmt) (*result, error) {
	r, err := x.lookupRelation(s.rel)
	if err != nil {
		return nil, err
	}
	switch {
	case r.system:
		return nil, errorf("42501", "system table %s is read-only", fqn(r.path()...))
	case r.typ == kindMaterializedView:
		return nil, unsupported("INSERT INTO a materialized view")
	}
	// target[i] is the relation column of the i-th VALUES position.
	target := make([]int, 0, len(r.cols))
	if s.columns == nil {
		for i := range r.cols {
			target = append(target, i)
		}
	} else {
		seen := map[int]bool{}
		for _, c := range s.columns {
			i := r.colIndex(c)
			if i < 0 {
				return nil, errorf(stateUndefinedColumn, "column %s does not exist in %s", quoteText(c), fqn(r.path()...))
			}
			if seen[i] {
				return nil, errorf(stateSyntax, "column %s is listed twice", quoteText(c))
			}
			seen[i] = true
			target = append(target, i)
		}
	}
	// Check every value first, then write the rows in chunks of
	// multi-row INSERTs.
	width := len(r.cols)
	vals := make([]any, 0, len(s.rows)*width)
	for n, row := range s.rows {
		if len(row) != len(target) {
			return nil, syntaxAt(x.text, row[0].at(), "row "+strconv.Itoa(n+1)+" has "+strconv.Itoa(len(row))+" values; "+strconv.Itoa(len(target))+" columns are listed")
		}
		base := len(vals)
		vals = append(vals, make([]any, width)...)
		for j, e := range row {
			c := r.cols[target[j]]
			v, err := coerce(c.t, e, x.sess.loc, c.Name)
			if err != nil {
				return nil, err
			}
			vals[base+target[j]] = v
		}
		for i, c := range r.cols {
			if c.NotNull && vals[base+i] == nil {
				return nil, errorf(stateNotNull, "column %s of %s cannot be NULL", quoteText(c.Name), fqn(r.path()...))
			}
		}
	}
	var first int64
	if r.typ == kindChangelog {
		if err := x.tx.QueryRowContext(x.ctx, `SELECT coalesce(max(_seq), 0) FROM `+logTable(r.id)).Scan(&first); err != nil {
			return nil, err
		}
	}
	chunk := max(1, min(insertChunkRows, maxSQLiteParams/max(width, 1)))
	names := make([]string, width)
	for i := range names {
		names[i] = colName(i)
	}
	// _ts is the insertion time, event time without a 'timestamp' column (window.go).
	head := "INSERT INTO " + logTable(r.id) + " (_ts, " + strings.Join(names, ", ") + ") VALUES "
	tuple := "(" + strconv.FormatInt(x.now.UnixMilli(), 10) + ", " + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for rows := len(s.rows); rows > 0; {
		n := min(rows, chunk)
		q := head + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ")
		if _, err := x.tx.ExecContext(x.ctx, q, vals[:n*width]...); err != nil {
			return nil, err
		}
		vals, rows = vals[n*width:], rows-n
	}
	if r.typ == kindChangelog {
		// Later rows of the log win: the state holds the last row per key.
		cols := strings.Join(names, ", ")
		q := "INSERT OR REPLACE INTO " + stateTable(r.id) + " (_seq, " + cols + ") SELECT _seq, " + cols +
			" FROM " + logTable(r.id) + " WHERE _seq > ? ORDER BY _seq"
		if _, err := x.tx.ExecContext(x.ctx, q, first); err != nil {
			return nil, err
		}
	}
	x.appended(r.id)
	path := r.path()
	summary := strconv.Itoa(len(s.rows)) + " row(s) inserted into " + typeWord(r.typ) + " " + fqn(path...)
	return commandResult(r.typ, "INSERT", summary, path...), nil
}
