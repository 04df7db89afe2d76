package deltastream

import (
	"context"
	"errors"
	"sync"
)

// tokenSource hands out the bearer token for each request and refreshes it
// once, for all concurrent callers, when the service rejects it.
type tokenSource struct {
	static   string
	provider func(ctx context.Context) (string, error)

	mu       sync.Mutex
	inflight *refreshCall
	fresh    string // token of the last completed refresh
}

type refreshCall struct {
	done chan struct{}
	tok  string
	err  error
}

var errNoRefresh = errors.New("deltastream: token cannot be refreshed")

func newTokenSource(cfg *Config) *tokenSource {
	return &tokenSource{static: cfg.Token, provider: cfg.TokenProvider}
}

// token returns the token for one request.
func (t *tokenSource) token(ctx context.Context) (string, error) {
	if t.provider == nil {
		return t.static, nil
	}
	tok, err := t.provider(ctx)
	if err != nil {
		return "", &tokenError{err: err}
	}
	return tok, nil
}

// refresh returns a token other than stale. Concurrent callers share one
// call to the provider (single flight). Without a provider nothing can be
// refreshed and refresh returns errNoRefresh.
func (t *tokenSource) refresh(ctx context.Context, stale string) (string, error) {
	if t.provider == nil {
		return "", errNoRefresh
	}
	t.mu.Lock()
	if t.fresh != "" && t.fresh != stale {
		tok := t.fresh
		t.mu.Unlock()
		return tok, nil
	}
	if c := t.inflight; c != nil {
		t.mu.Unlock()
		select {
		case <-c.done:
			return c.tok, c.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	c := &refreshCall{done: make(chan struct{})}
	t.inflight = c
	t.mu.Unlock()

	c.tok, c.err = t.token(ctx)
	t.mu.Lock()
	t.inflight = nil
	if c.err == nil {
		t.fresh = c.tok
	}
	t.mu.Unlock()
	close(c.done)
	if c.err == nil && c.tok == stale {
		return "", errNoRefresh
	}
	return c.tok, c.err
}

// tokenError is a failure of the token provider. Its message never holds a
// token: it wraps what the provider returned.
type tokenError struct{ err error }

func (e *tokenError) Error() string { return "deltastream: token provider: " + e.err.Error() }
func (e *tokenError) Unwrap() error { return e.err }
