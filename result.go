package deltastream

// result is the driver.Result of Exec. DeltaStream reports neither a row
// count nor an insert id; the statement ids are reachable through
// WithStatementInfo.
type result struct{}

// LastInsertId implements driver.Result: DeltaStream reports none, so it
// returns ErrNotReported.
func (r *result) LastInsertId() (int64, error) { return 0, ErrNotReported }

// RowsAffected implements driver.Result: DeltaStream reports none, so it
// returns ErrNotReported.
func (r *result) RowsAffected() (int64, error) { return 0, ErrNotReported }
