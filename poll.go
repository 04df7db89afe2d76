package deltastream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"
)

// pollGrowth is the wait before the next poll as a fraction of the time the
// statement has run so far. A statement that finishes after D is therefore
// seen at most about D/3 (at least MinPollInterval) after it finished, and a
// long statement costs O(log D) requests until the waits reach
// MaxPollInterval: a 500 ms statement about 14 requests, a 10 s one about
// 28 (see BenchmarkPoll). Seeing every statement within 25% of D would need
// a growth of 0.25 and 17 requests for 500 ms: a third is the balance.
const pollGrowth = 1.0 / 3

// poller paces the polls of one running statement.
type poller struct {
	start    time.Time
	min, max time.Duration
}

func newPoller(cfg *Config, start time.Time) *poller {
	return &poller{start: start, min: cfg.MinPollInterval, max: cfg.MaxPollInterval}
}

// next returns how long to wait before the next poll: a share of the time
// elapsed so far, clamped to [min, max], shortened by up to 10% of jitter (never below min)
// so that many clients started together do not poll in lockstep (never
// lengthened, so the lateness bound holds).
func (p *poller) next(now time.Time) time.Duration {
	d := time.Duration(float64(now.Sub(p.start)) * pollGrowth)
	d = min(max(d, p.min), p.max)
	return max(d-jitter(d/10), p.min)
}

// jitter returns a random duration in [0, d).
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d)
}

// await waits for a running statement: it polls GET /statements/{id} (with
// partitionID=part when part >= 0) until the statement is done, and returns
// the answer with its header decoded, or the statement's SQL error. A ctx
// cancellation stops waiting at once, with an error that says the
// statement may still be running. Each poll is reported to the
// WithProgress hook of ctx, if any (not for prefetched partitions).
func (c *Conn) await(ctx context.Context, ep *endpoint, id string, part int, start time.Time) (*resultStream, error) {
	p := newPoller(c.connector.cfg, start)
	params := c.params()
	var progress func(Progress)
	if part <= 0 {
		// Waits for a statement or its first partition run on the caller's
		// goroutine; prefetched partitions (part > 0) do not report.
		progress = progressHook(ctx)
	}
	for polls := 1; ; polls++ {
		if !sleepCtx(ctx, p.next(time.Now())) {
			return nil, stillRunning(id, ctx.Err())
		}
		resp, err := c.client.getStatement(ctx, ep, id, part, params)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				if !errors.Is(err, ctxErr) {
					err = ctxErr
				}
				// err keeps the last failed attempt, if any, beside ctx's error.
				return nil, stillRunning(id, err)
			}
			return nil, withStatement(id, "polling", unknownStatement(err))
		}
		st, err := openResult(resp, id, part)
		if err != nil {
			return nil, err
		}
		running := st.running()
		if progress != nil {
			progress(Progress{StatementID: id, Elapsed: time.Since(start), Polls: polls, Done: !running})
		}
		if running {
			st.close()
			continue
		}
		if err := st.sqlError(id); err != nil {
			st.close()
			return nil, err
		}
		return st, nil
	}
}

// stillRunning is the error of a wait that ctx ended: the statement goes on
// running on the service, and its id is what the caller needs to collect
// it (or to ask support about it).
func stillRunning(id string, ctxErr error) error {
	return &statementError{id: id, op: "stopped waiting, but the statement may still be running on the service (collect its result later with deltastream.WithResume and this id)", err: ctxErr}
}

// fetch gets the answer for statement id (partition part), waiting while it
// runs.
func (c *Conn) fetch(ctx context.Context, ep *endpoint, id string, part int) (*resultStream, error) {
	start := time.Now()
	resp, err := c.client.getStatement(ctx, ep, id, part, c.params())
	if err != nil {
		return nil, withStatement(id, fmt.Sprintf("fetching partition %d", max(part, 0)), unknownStatement(err))
	}
	return c.settle(ctx, ep, id, part, start, resp)
}

// settle takes the answer to a GET of statement id (partition part): it
// decodes its header, waits while the statement still runs, and turns a
// SQL error into an *Error.
func (c *Conn) settle(ctx context.Context, ep *endpoint, id string, part int, start time.Time, resp *http.Response) (*resultStream, error) {
	st, err := openResult(resp, id, part)
	if err != nil {
		return nil, err
	}
	if st.running() {
		st.close()
		return c.await(ctx, ep, id, part, start)
	}
	if err := st.sqlError(id); err != nil {
		st.close()
		return nil, err
	}
	return st, nil
}
