package deltastream

import "github.com/deltastream-go/deltastream/internal/wire"

// result is the driver.Result of Exec. DeltaStream reports neither a row
// count nor an insert id; the statement ids are reachable through
// ResultStatementIDs and WithStatementInfo. It holds only a pointer to the
// answer the driver decoded anyway, so that returning it as an interface
// allocates nothing.
type result struct {
	rs *wire.ResultSet
}

// LastInsertId implements driver.Result: DeltaStream reports none, so it
// returns an error matching ErrNotReported, which also carries the
// statement ids for ResultStatementIDs.
func (r result) LastInsertId() (int64, error) { return 0, notReported(r) }

// RowsAffected implements driver.Result: DeltaStream reports none, so it
// returns an error matching ErrNotReported.
func (r result) RowsAffected() (int64, error) { return 0, notReported(r) }

// ids returns the statement ids of the answer: the batch's, or the single
// statement's.
func (r result) ids() []string {
	if r.rs == nil {
		return nil
	}
	if len(r.rs.StatementIDs) > 0 {
		return append([]string(nil), r.rs.StatementIDs...)
	}
	if r.rs.StatementID == "" {
		return nil
	}
	return []string{r.rs.StatementID}
}

// notReported is ErrNotReported carrying the result it came from.
type notReported result

func (e notReported) Error() string { return ErrNotReported.Error() }

// Is makes errors.Is(err, ErrNotReported) hold.
func (e notReported) Is(target error) bool { return target == ErrNotReported }
