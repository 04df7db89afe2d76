package emulator

import (
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Query states, as LIST QUERIES and deltastream.sys."queries" show them.
const (
	queryRunning    = "running"
	queryErrored    = "errored"
	queryTerminated = "terminated"
)

// queryCmd is TERMINATE QUERY id, RESTART QUERY id or DESCRIBE QUERY id.
type queryCmd struct {
	verb string // "terminate", "restart", "describe"
	id   string
}

// parseQueryCmd recognizes the statements naming a query by id before the
// lexer sees them: ids are UUIDs, which are not identifiers.
func parseQueryCmd(sql string) (*queryCmd, bool, error) {
	f := strings.Fields(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(skipComments(sql)), ";")))
	if len(f) < 2 || !strings.EqualFold(f[1], "query") {
		return nil, false, nil
	}
	verb := strings.ToLower(f[0])
	switch verb {
	case "terminate", "restart", "describe", "desc":
	default:
		return nil, false, nil
	}
	if verb == "desc" {
		verb = "describe"
	}
	if len(f) != 3 {
		return nil, true, errorf(stateSyntax, "expected %s QUERY <query id>", strings.ToUpper(verb))
	}
	return &queryCmd{verb: verb, id: strings.Trim(f[2], `"'`)}, true, nil
}

// skipComments drops the comments that lead a statement.
func skipComments(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			i := strings.Index(s[2:], "*/")
			if i < 0 {
				return s
			}
			s = s[i+4:]
		default:
			return s
		}
	}
}

// pquery is a persistent query as the runtime needs it.
type pquery struct {
	id           string
	state        string
	sink         int64
	sources      []int64
	offsets      map[string]int64
	db, schema   string
	tz           string
	selectText   string
	owner        string
	queryText    string
	errorMessage *string
}

const pqueryColumns = `q.id, q.current_state, q.sink_id, q.sources, q.offsets, r.db, r.schema_name, r.tz, r.select_text, q.owner, q.sql, q.error_message`

func scanQuery(scan func(...any) error) (*pquery, error) {
	q := &pquery{}
	var sources, offsets string
	if err := scan(&q.id, &q.state, &q.sink, &sources, &offsets, &q.db, &q.schema, &q.tz, &q.selectText, &q.owner, &q.queryText, &q.errorMessage); err != nil {
		return nil, err
	}
	_ = json.Unmarshal([]byte(sources), &q.sources)
	_ = json.Unmarshal([]byte(offsets), &q.offsets)
	if q.offsets == nil {
		q.offsets = map[string]int64{}
	}
	return q, nil
}

// loadQueries loads persistent queries matching a condition over
// ds_queries q, in creation order.
func (x *exec) loadQueries(where string, args ...any) ([]*pquery, error) {
	rows, err := x.tx.QueryContext(x.ctx, `SELECT `+pqueryColumns+` FROM ds_queries q JOIN ds_query_runtime r ON r.id = q.id WHERE `+where+` ORDER BY q.created_at, q.rowid`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*pquery
	for rows.Next() {
		q, err := scanQuery(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// insertQuery records a new running query.
func (x *exec) insertQuery(q *pquery) error {
	sources, _ := json.Marshal(q.sources)
	offsets, _ := json.Marshal(q.offsets)
	if _, err := x.tx.ExecContext(x.ctx, `INSERT INTO ds_queries(id, name, version, intended_state, current_state, sql, sink_id, sources, offsets, owner, created_at, updated_at)
		VALUES (?, NULL, 1, 'running', 'running', ?, ?, ?, ?, ?, ?, ?)`,
		q.id, q.queryText, q.sink, string(sources), string(offsets), q.owner, x.stamp(), x.stamp()); err != nil {
		return err
	}
	_, err := x.tx.ExecContext(x.ctx, `INSERT INTO ds_query_runtime(id, db, schema_name, tz, select_text) VALUES (?, ?, ?, ?, ?)`,
		q.id, q.db, q.schema, q.tz, q.selectText)
	return err
}

// saveOffsets records how far a query has read.
func (x *exec) saveOffsets(q *pquery) error {
	offsets, _ := json.Marshal(q.offsets)
	_, err := x.tx.ExecContext(x.ctx, `UPDATE ds_queries SET offsets = ? WHERE id = ?`, string(offsets), q.id)
	return err
}

// setQueryState changes a query's state (and error message).
func (x *exec) setQueryState(id, intended, current string, msg *string) error {
	_, err := x.tx.ExecContext(x.ctx, `UPDATE ds_queries SET intended_state = ?, current_state = ?, error_message = ?, updated_at = ? WHERE id = ?`,
		intended, current, msg, x.stamp(), id)
	return err
}

// newQueryID is a fresh query id.
func newQueryID() string { return uuid.NewString() }

// queryCommand runs TERMINATE, RESTART and DESCRIBE QUERY.
func (x *exec) queryCommand(c *queryCmd) (*result, error) {
	qs, err := x.loadQueries(`q.id = ?`, c.id)
	if err != nil {
		return nil, err
	}
	if len(qs) == 0 {
		return nil, errorf(stateQueryNotFound, "query %s not found: LIST QUERIES shows the queries", quoteText(c.id))
	}
	q := qs[0]
	switch c.verb {
	case "describe":
		return &result{
			cols: []wire.Column{col("ID", "VARCHAR", false), col("State", "VARCHAR", false), col("ErrorMessage", "VARCHAR", true),
				col("Query", "VARCHAR", false), col("Sources", "VARCHAR", false), col("Sink", "VARCHAR", false), colOwner},
			rows: [][]*string{{str(q.id), str(q.state), q.errorMessage, str(q.queryText), str(x.relNames(q.sources...)), str(x.relNames(q.sink)), str(q.owner)}},
		}, nil
	case "terminate":
		if q.state != queryTerminated {
			if err := x.setQueryState(q.id, queryTerminated, queryTerminated, q.errorMessage); err != nil {
				return nil, err
			}
		}
		return &result{cols: commandColumns, rows: [][]*string{{str("query"), str(q.id), str("TERMINATE"), str("query " + q.id + " was successfully terminated"), nil}}}, nil
	default: // restart
		if err := x.setQueryState(q.id, queryRunning, queryRunning, nil); err != nil {
			return nil, err
		}
		x.appended(q.sources[0]) // catch up now, from the saved offset
		return &result{cols: commandColumns, rows: [][]*string{{str("query"), str(q.id), str("RESTART"), str("query " + q.id + " was successfully restarted"), nil}}}, nil
	}
}

// relNames is the comma-separated fqns of relations by id.
func (x *exec) relNames(ids ...int64) string {
	var names []string
	for _, id := range ids {
		r, err := x.relationByID(id)
		if err != nil || r == nil {
			names = append(names, "(dropped)")
			continue
		}
		names = append(names, fqn(r.path()...))
	}
	return strings.Join(names, ", ")
}

// relationByID loads a relation by id; nil when it is gone.
func (x *exec) relationByID(id int64) (*relation, error) {
	row := x.tx.QueryRowContext(x.ctx, `SELECT `+relationColumns+` FROM ds_relations WHERE id = ?`, id)
	r, err := scanRelation(row.Scan)
	if errNoRows(err) {
		return nil, nil
	}
	return r, err
}

// checkQueryUse fails with 2BP01 when a running query reads or writes r; the query of a materialized view being dropped is
// terminated with it.
func (x *exec) checkQueryUse(r *relation) error {
	qs, err := x.loadQueries(`q.current_state <> 'terminated'`)
	if err != nil {
		return err
	}
	for _, q := range qs {
		if q.sink == r.id && r.typ == kindMaterializedView {
			// A view's own query goes with it.
			if err := x.setQueryState(q.id, queryTerminated, queryTerminated, q.errorMessage); err != nil {
				return err
			}
			continue
		}
		if q.state != queryRunning {
			continue // an errored query holds nothing until it is restarted
		}
		uses := q.sink == r.id
		for _, s := range q.sources {
			uses = uses || s == r.id
		}
		if uses {
			return errorf(stateDependent, "%s %s is used by query %s; TERMINATE QUERY %s first", typeWord(r.typ), fqn(r.path()...), q.id, q.id)
		}
	}
	return nil
}

// beforeDrop checks that no query uses r and wakes r's continuous
// readers after the commit, so that they end with an error frame.
func (x *exec) beforeDrop(r *relation) error {
	if err := x.checkQueryUse(r); err != nil {
		return err
	}
	x.appended(r.id)
	return nil
}
