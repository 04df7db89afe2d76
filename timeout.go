package deltastream

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// The request timeout (Config.RequestTimeout) of one HTTP request: the
// wait for its answer, then a minimum progress of its body.

// minProgress is the least a body must deliver per requestTimeout spent
// waiting for it (or else reach its end): a server that trickles a byte at
// a time cannot hold a request open forever by keeping each read short.
const minProgress = 4 << 10

// timeout cancels a request that waits too long: it is armed while waiting
// for the answer, and while waiting in a body read with the share of the
// request timeout that the current progress window has left (see
// timeoutBody).
type timeout struct {
	d      time.Duration
	cancel context.CancelFunc
	mu     sync.Mutex
	timer  *time.Timer
	hit    bool
}

func newTimeout(d time.Duration, cancel context.CancelFunc) *timeout {
	return &timeout{d: d, cancel: cancel}
}

// arm starts (or restarts) the whole timeout.
func (t *timeout) arm() { t.armFor(t.d) }

// armFor starts (or restarts) the timeout with d left (at least 1ns).
func (t *timeout) armFor(d time.Duration) {
	if t.d <= 0 {
		return
	}
	d = max(d, 1)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer == nil {
		t.timer = time.AfterFunc(d, func() {
			t.mu.Lock()
			t.hit = true
			t.mu.Unlock()
			t.cancel()
		})
		return
	}
	t.timer.Reset(d)
}

func (t *timeout) disarm() {
	if t.d <= 0 {
		return
	}
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
	}
	t.mu.Unlock()
}

func (t *timeout) fired() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.hit
}

// timeoutBody bounds the reads of a body: the time spent blocked in Read
// counts against the request timeout until minProgress bytes have arrived,
// which opens a new window. Time the caller spends between reads (scanning
// slowly) never counts. Reads are not concurrent.
type timeoutBody struct {
	rc     io.ReadCloser
	t      *timeout
	cancel context.CancelFunc
	waited time.Duration // blocked in Read in the current window
	got    int           // bytes received in the current window
}

func (b *timeoutBody) Read(p []byte) (int, error) {
	if b.t.d <= 0 {
		return b.rc.Read(p)
	}
	start := time.Now()
	b.t.armFor(b.t.d - b.waited)
	n, err := b.rc.Read(p)
	b.t.disarm()
	b.got += n
	if b.got >= minProgress {
		b.got, b.waited = 0, 0
	} else {
		b.waited += time.Since(start)
	}
	if err != nil && err != io.EOF && b.t.fired() {
		err = fmt.Errorf("the answer's body delivered less than %d KiB in requestTimeout %v of waiting: %w", minProgress>>10, b.t.d, errRequestTimeout)
	}
	return n, err
}

// Draining limits: what close discards of an unread body so that its HTTP
// connection can be reused, and how long it waits for it.
const (
	drainLimit   = 64 << 10
	drainTimeout = 20 * time.Millisecond
)

// drain discards up to drainLimit bytes of what is left of the body, for at
// most drainTimeout: a small rest already on its way lets the connection be
// reused; a server that stalls is cut off instead of blocking the caller.
func (b *timeoutBody) drain() {
	t := time.AfterFunc(drainTimeout, b.cancel)
	_, _ = io.CopyN(io.Discard, b.rc, drainLimit)
	t.Stop()
}

func (b *timeoutBody) Close() error {
	err := b.rc.Close()
	b.cancel()
	return err
}
