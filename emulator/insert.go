package emulator

import (
	"strconv"
	"strings"
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
	var b strings.Builder
	b.WriteString("INSERT INTO " + logTable(r.id) + " (")
	for i := range r.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(colName(i))
	}
	b.WriteString(") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(r.cols)), ", ") + ")")
	logIns, err := x.tx.PrepareContext(x.ctx, b.String())
	if err != nil {
		return nil, err
	}
	defer logIns.Close()
	var stateSQL string
	if r.typ == kindChangelog {
		cols := make([]string, len(r.cols))
		for i := range r.cols {
			cols[i] = colName(i)
		}
		stateSQL = "INSERT OR REPLACE INTO " + stateTable(r.id) + " (_seq, " + strings.Join(cols, ", ") +
			") VALUES (" + strings.TrimSuffix(strings.Repeat("?, ", len(r.cols)+1), ", ") + ")"
	}
	stateIns := func(args []any) error { return nil }
	if stateSQL != "" {
		st, err := x.tx.PrepareContext(x.ctx, stateSQL)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		stateIns = func(args []any) error {
			_, err := st.ExecContext(x.ctx, args...)
			return err
		}
	}
	vals := make([]any, len(r.cols)+1)
	for n, row := range s.rows {
		if len(row) != len(target) {
			return nil, syntaxAt(x.text, row[0].at(), "row "+strconv.Itoa(n+1)+" has "+strconv.Itoa(len(row))+" values; "+strconv.Itoa(len(target))+" columns are listed")
		}
		for i := range vals {
			vals[i] = nil
		}
		for j, e := range row {
			c := r.cols[target[j]]
			v, err := coerce(c.t, e, x.sess.loc, c.Name)
			if err != nil {
				return nil, err
			}
			vals[target[j]+1] = v
		}
		for i, c := range r.cols {
			if c.NotNull && vals[i+1] == nil {
				return nil, errorf(stateNotNull, "column %s of %s cannot be NULL", quoteText(c.Name), fqn(r.path()...))
			}
		}
		res, err := logIns.ExecContext(x.ctx, vals[1:]...)
		if err != nil {
			return nil, err
		}
		seq, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		vals[0] = seq
		if err := stateIns(vals); err != nil {
			return nil, err
		}
	}
	x.appended(r.id)
	path := r.path()
	summary := strconv.Itoa(len(s.rows)) + " row(s) inserted into " + typeWord(r.typ) + " " + fqn(path...)
	return commandResult(r.typ, "INSERT", summary, path...), nil
}
