package deltastream

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/deltastream-go/deltastream/internal/wire"
)

// Long-running statements.
//
// A statement is accepted when the service answers its submission; from
// then on it has an id and runs on the service whatever the client does
// (DeltaStream has no cancel endpoint). These context options make that
// observable and usable:
//
//   - WithStatementAccepted: fn gets the id as soon as the submission is
//     answered, before any polling.
//   - WithProgress: fn is called after each poll while the driver waits.
//   - WithStatementInfo (session.go): fn gets the id and columns when the
//     statement has finished, successfully or not.
//   - WithAsync: ExecContext and QueryContext return once the statement is
//     accepted instead of when it has finished.
//   - WithResume: QueryContext (or ExecContext) with an empty query reads
//     the result of a statement submitted earlier, from its id alone.
//
// For one statement the hooks fire in this order, on the goroutine that
// runs it: accepted, progress (zero or more times), info.

type (
	acceptedKey struct{}
	progressKey struct{}
	asyncKey    struct{}
	resumeKey   struct{}
)

// WithStatementAccepted returns a context that calls fn as soon as the
// service has accepted a statement run with it, i.e. has answered its
// submission, whether the statement is finished already or still running,
// and before the driver polls it. fn gets the id (Position is set for the
// statements of a batch, which are all reported at once, in order; Columns
// is always nil: they are known only at the end, see WithStatementInfo).
// Keep the id to hand it to support, to TERMINATE the query it starts, or
// to collect the result later with WithResume. fn is called on the
// goroutine that runs the statement, and must not block for long: the
// statement is not waited for meanwhile. A submission the service never
// answered (a network failure, an HTTP error) has no id and is not
// reported.
func WithStatementAccepted(ctx context.Context, fn func(StatementInfo)) context.Context {
	return context.WithValue(ctx, acceptedKey{}, fn)
}

// reportAccepted tells the WithStatementAccepted hook of ctx, if any, about
// the statements of a submission answer.
func reportAccepted(ctx context.Context, rs *wire.ResultSet) {
	fn, ok := ctx.Value(acceptedKey{}).(func(StatementInfo))
	if !ok || fn == nil {
		return
	}
	if len(rs.StatementIDs) > 1 {
		for i, id := range rs.StatementIDs {
			fn(StatementInfo{ID: id, Position: i + 1})
		}
		return
	}
	if rs.StatementID != "" {
		fn(StatementInfo{ID: rs.StatementID})
	}
}

// Progress describes a statement the driver is waiting for; see
// WithProgress.
type Progress struct {
	// StatementID is the id of the statement being waited for.
	StatementID string
	// Elapsed is the time since the statement was submitted (for a resumed
	// or async statement: since this wait began).
	Elapsed time.Duration
	// Polls is the number of status requests made by this wait so far,
	// this one included.
	Polls int
	// Done is true for the last call of a wait: the poll that found the
	// statement finished, successfully or not.
	Done bool
}

// WithProgress returns a context that calls fn after every poll of a
// running statement run with it: once per status request while the driver
// waits, the last time with Done set. A statement that the service
// finishes before answering its submission is never polled, so fn is not
// called for it. fn runs on the goroutine that waits and must return
// quickly (the shell draws a spinner from it). Without WithProgress the
// wait costs nothing extra: the hook is looked up once per wait.
//
// The polls of one wait are counted from 1; a batch, a resumed statement
// and the partitions of a dataplane result may wait several times.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

func progressHook(ctx context.Context) func(Progress) {
	fn, _ := ctx.Value(progressKey{}).(func(Progress))
	return fn
}

// WithAsync returns a context under which ExecContext and QueryContext
// return as soon as the service has accepted the statement, without
// waiting for it to finish:
//
//   - ExecContext returns a Result whose statement ids ResultStatementIDs
//     reads; the statement keeps running on the service. Collect its
//     outcome later, from this or another process, with WithResume. An
//     error is returned only when the submission fails, or when the
//     service answers at once with the statement's SQL error.
//   - QueryContext returns Rows that wait for the statement on the first
//     Next (or Columns, ColumnTypes, NextResultSet), bounded by the
//     query's ctx. If the wait fails, Next returns false and Rows.Err the
//     error, which carries the id (StatementIDOf).
//
// WithStatementAccepted fires as usual; WithStatementInfo and WithProgress
// fire when the driver waits for the statement: on the first use of the
// Rows, or when it is resumed.
//
// This is gosnowflake's WithAsyncMode made to fit database/sql: the Result
// and the Rows are the ordinary ones, and the id reaches the caller
// through WithStatementAccepted (or ResultStatementIDs for Exec) instead of
// a driver type that database/sql would hide. Combined with WithResume,
// WithAsync has no effect.
func WithAsync(ctx context.Context) context.Context {
	return context.WithValue(ctx, asyncKey{}, true)
}

func isAsync(ctx context.Context) bool {
	v, _ := ctx.Value(asyncKey{}).(bool)
	return v
}

// WithResume returns a context under which QueryContext, called with an
// empty query, reads the result of the statement with this id instead of
// submitting one; it polls while the statement still runs, like a
// statement just submitted. The statement may have been submitted by
// another connection or process (see WithAsync and
// WithStatementAccepted). Pass every id of a batch, in order, to read its
// results as result sets (NextResultSet). Everything works as for a fresh
// statement: partitions, prefetch, dataplane result sets, column types.
// ExecContext with WithResume waits for the statements and reports the
// first failure, like an Exec.
//
// The GETs are made with the resuming connection's token, endpoint,
// timezone and session id. Its session context is left alone: resuming a
// USE statement does not switch the connection.
//
// An id the service does not know is an *Error matching ErrNotFound. A
// failed statement is its *Error. A continuous query (a streaming result)
// is reconnected only while the service still serves it: it ends when its
// first reader disconnects, so resuming it afterwards fails with an error
// saying to run it again.
//
// A non-empty query under WithResume is an error, so that no SQL is
// silently ignored; attachments in ctx are closed and not sent.
func WithResume(ctx context.Context, ids ...string) context.Context {
	return context.WithValue(ctx, resumeKey{}, append([]string(nil), ids...))
}

func resumeIDs(ctx context.Context) ([]string, bool) {
	ids, ok := ctx.Value(resumeKey{}).([]string)
	return ids, ok
}

// ResultStatementIDs returns the ids of the statements of the Exec that
// returned res, in order (one for a single statement, one per statement
// for a batch), or nil when res does not come from this driver. It makes no
// network call. Use it after an Exec under WithAsync to keep the ids for
// WithResume.
//
// database/sql wraps the driver's Result in a type of its own, so the ids
// travel through the error of res.LastInsertId (which still matches
// ErrNotReported: DeltaStream reports no insert ids).
func ResultStatementIDs(res sql.Result) []string {
	if res == nil {
		return nil
	}
	_, err := res.LastInsertId()
	var ne notReported
	if !errors.As(err, &ne) || ne.rs == nil {
		return nil
	}
	return result(ne).ids()
}
