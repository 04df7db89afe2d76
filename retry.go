package deltastream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The retry policy of client.do:
//
//   - Idempotent requests (status polls, partitions, /version, downloads)
//     are retried on 429, 502, 503, 504 and on network failures.
//   - POST /statements is retried only when it provably never reached the
//     server (a dial failure) or was answered 429; never with attachments.
//   - Waits are jittered exponential, 100ms doubling to 2s, or what
//     Retry-After asks if longer; every wait ends with ctx.
//   - All attempts of one request fit in Config.RetryTimeout (default
//     10s): a wait that would cross it is not started, and the last error
//     is returned with the number of attempts.
//   - Other statuses (400, 401, 403, 404, 408, 418, 500, ...) fail at once,
//     except that 401/403 with a TokenProvider refreshes the token once.

// backoff waits before the next attempt: jittered exponential from 100ms up
// to 2s, or what Retry-After asks, whichever is longer. It returns false
// when the wait would cross the retry deadline, or ctx ends.
func (c *client) backoff(ctx context.Context, attempt int, after time.Duration, deadline time.Time) bool {
	if deadline.IsZero() {
		return false
	}
	d := 100 * time.Millisecond << min(attempt-1, 5)
	d = min(d, 2*time.Second)
	d = d/2 + jitter(d/2)
	d = max(d, after)
	if time.Now().Add(d).After(deadline) {
		return false
	}
	return sleepCtx(ctx, d)
}

// sleepCtx waits for d or until ctx ends; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	var secs int
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && secs >= 0 {
		return time.Duration(min(secs, 3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

func isRetryableStatus(st int) bool {
	switch st {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// isTransportError reports whether err is a network failure worth retrying
// for an idempotent request (not a local mistake such as a bad URL).
func isTransportError(err error) bool {
	if errors.Is(err, errRequestTimeout) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "connection reset") || strings.Contains(err.Error(), "broken pipe")
}

// isPermanent reports a failure that no retry can fix: a definitive DNS
// answer that the host does not exist (a temporary DNS failure, a timeout
// or a missing answer is still retried).
func isPermanent(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound && !dnsErr.IsTemporary && !dnsErr.IsTimeout
}

// neverSent reports whether a failed request provably never reached the
// server: it failed while dialing.
func neverSent(err error) bool {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr)
}

// networkError is a request that failed without an HTTP answer.
type networkError struct {
	op       string
	attempts int
	err      error
}

func (e *networkError) Error() string {
	var b strings.Builder
	b.WriteString("deltastream: ")
	b.WriteString(e.op)
	if e.attempts > 1 {
		fmt.Fprintf(&b, " failed after %d attempts", e.attempts)
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.err.Error(), "deltastream: "))
	if isPermanent(e.err) {
		b.WriteString(" (the host name does not exist: check the host in the DSN)")
	}
	// Transport errors may quote what the server sent (a malformed status
	// line): escape it.
	return cleanServerText(b.String(), maxErrorMessage)
}

func (e *networkError) Unwrap() error { return e.err }

// interruptedError is a request whose ctx ended while it was being retried:
// it matches both ctx's error and the last failure (errors.Is finds
// ErrUnavailable behind a 503 as well as context.DeadlineExceeded), and
// says how many attempts were made.
type interruptedError struct {
	op       string
	attempts int
	ctxErr   error
	last     error
}

func (e *interruptedError) Error() string {
	attempts := "1 failed attempt"
	if e.attempts != 1 {
		attempts = fmt.Sprintf("%d failed attempts", e.attempts)
	}
	return cleanServerText(fmt.Sprintf("deltastream: %s: %v after %s; the last: %s",
		e.op, e.ctxErr, attempts, strings.TrimPrefix(e.last.Error(), "deltastream: ")), maxErrorMessage)
}

func (e *interruptedError) Unwrap() []error { return []error{e.ctxErr, e.last} }

// interrupted returns err, the outcome of a request after attempts failed
// attempts whose last failure was last (nil: none), unless ctx has ended
// after a failure: then an error joining ctx's error and that failure.
func interrupted(ctx context.Context, op string, attempts int, last, err error) error {
	ctxErr := ctx.Err()
	if ctxErr == nil || last == nil || attempts == 0 {
		return err
	}
	return &interruptedError{op: op, attempts: attempts, ctxErr: ctxErr, last: last}
}

// maybeRanError is a request that was sent whole (a statement submission)
// but got no answer: the service may have received and run it. It is not
// retried, and its message says so.
type maybeRanError struct{ err error }

func (e *maybeRanError) Error() string {
	return "the request was sent but no answer came back, so the statement may have run; it is not sent again (list the recent statements or queries to check): " + e.err.Error()
}

func (e *maybeRanError) Unwrap() error { return e.err }
