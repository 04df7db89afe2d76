package deltastream

import (
	"context"
	"errors"
	"sync"
)

// tokenSource hands out the bearer token for each request and refreshes it
// once, for all concurrent callers, when the service rejects it. Its token
// comes from a provider called per request (Config.TokenProvider), or is
// static; a static token can be renewed by renew (a dataplane token, which
// the control plane hands out again).
type tokenSource struct {
	static   string
	provider func(ctx context.Context) (string, error)
	renew    func(ctx context.Context) (string, error)

	mu       sync.Mutex
	inflight *refreshCall
	replaced string // token the last completed refresh replaced
	fresh    string // token that refresh got
}

type refreshCall struct {
	stale string // the token being replaced
	done  chan struct{}
	tok   string
	err   error
}

var errNoRefresh = errors.New("deltastream: token cannot be refreshed")

func newTokenSource(cfg *Config) *tokenSource {
	return &tokenSource{static: cfg.Token, provider: cfg.TokenProvider}
}

// token returns the token for one request.
func (t *tokenSource) token(ctx context.Context) (string, error) {
	if t.provider == nil {
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.fresh != "" {
			return t.fresh, nil
		}
		return t.static, nil
	}
	tok, err := t.provider(ctx)
	if err != nil {
		return "", &tokenError{err: err}
	}
	return tok, nil
}

// canRefresh reports whether a rejected token can be replaced.
func (t *tokenSource) canRefresh() bool { return t.provider != nil || t.renew != nil }

// fetch asks the provider, or renew, for a new token.
func (t *tokenSource) fetch(ctx context.Context) (string, error) {
	if t.provider != nil {
		return t.token(ctx)
	}
	tok, err := t.renew(ctx)
	if err != nil {
		return "", &tokenError{err: err}
	}
	return tok, nil
}

// refresh returns a token to use instead of stale, which the service
// rejected. Concurrent callers that hold the same stale token share one call
// to the provider (single flight), and later callers with that token reuse
// its answer; a caller whose stale token is another one asks the provider
// anew. When the caller leading a shared call gives up (its ctx ends), a
// waiter whose ctx is still alive takes over. Without a provider nothing
// can be refreshed: errNoRefresh.
func (t *tokenSource) refresh(ctx context.Context, stale string) (string, error) {
	if !t.canRefresh() {
		return "", errNoRefresh
	}
	for {
		t.mu.Lock()
		if t.fresh != "" && t.replaced == stale {
			tok := t.fresh
			t.mu.Unlock()
			return tok, nil
		}
		if c := t.inflight; c != nil && c.stale == stale {
			t.mu.Unlock()
			select {
			case <-c.done:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			if c.err != nil && (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) && ctx.Err() == nil {
				continue // the leader gave up, not the provider: try again
			}
			return c.result()
		}
		c := &refreshCall{stale: stale, done: make(chan struct{})}
		t.inflight = c
		t.mu.Unlock()

		c.tok, c.err = t.fetch(ctx)
		t.mu.Lock()
		if t.inflight == c {
			t.inflight = nil
		}
		if c.err == nil && c.tok != stale {
			t.replaced, t.fresh = stale, c.tok
		}
		t.mu.Unlock()
		close(c.done)
		return c.result()
	}
}

// result is the outcome of a refresh: a provider that hands back the
// rejected token again has nothing fresher.
func (c *refreshCall) result() (string, error) {
	if c.err == nil && c.tok == c.stale {
		return "", errNoRefresh
	}
	return c.tok, c.err
}

// tokenError is a failure of the token provider. Its message never holds a
// token: it wraps what the provider returned.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "deltastream: token provider: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }
