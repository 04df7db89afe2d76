package dstest

import "time"

// WithStatementTTL makes the server forget, as the service eventually
// does, a finished statement that has been idle for ttl on the server's
// clock (see WithClock): GETs of its id then answer 404, as after Forget.
// Idle means that it no longer runs, no WebSocket to it is open and no
// request about it is being answered; the time counts from its last
// access (the submission, or the end of the last poll, partition fetch or
// WebSocket), so a client that keeps paging keeps it. Without this option
// (or with ttl <= 0) the server keeps every statement, so that tests can
// resume any id.
func WithStatementTTL(ttl time.Duration) Option {
	return func(c *config) { c.ttl = max(ttl, 0) }
}
