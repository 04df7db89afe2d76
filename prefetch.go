package deltastream

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"time"
)

// prefetchBuffer caps how much of one prefetched partition is read ahead
// into memory; the rest of a larger partition streams when it is reached.
// Memory held by prefetching is at most Prefetch × prefetchBuffer.
const prefetchBuffer = 8 << 20

// prefetcher fetches partitions [from, to) of a result ahead of the reader,
// at most depth at a time, and hands them over in order. Every goroutine it
// starts has exited when stop returns.
type prefetcher struct {
	cancel context.CancelFunc
	queue  chan *future
	wg     sync.WaitGroup
	done   chan struct{} // closed when the producer has exited
	// pending is a partition taken from the queue whose wait was
	// interrupted; stop releases it. Only the reader touches it.
	pending *future
}

// future is one partition being fetched.
type future struct {
	part  int
	ready chan struct{}
	st    *resultStream
	err   error
}

func startPrefetch(ctx context.Context, c *Conn, ep *endpoint, id string, from, to, depth int) *prefetcher {
	ctx, cancel := context.WithCancel(ctx)
	p := &prefetcher{cancel: cancel, queue: make(chan *future, depth), done: make(chan struct{})}
	go p.produce(ctx, c, ep, id, from, to)
	return p
}

func (p *prefetcher) produce(ctx context.Context, c *Conn, ep *endpoint, id string, from, to int) {
	defer close(p.done)
	defer close(p.queue)
	for part := from; part < to; part++ {
		f := &future{part: part, ready: make(chan struct{})}
		select {
		case p.queue <- f:
		case <-ctx.Done():
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(f.ready)
			f.st, f.err = c.fetchBuffered(ctx, ep, id, f.part)
		}()
	}
}

// next returns the next partition in order, or io.EOF after the last.
func (p *prefetcher) next(ctx context.Context) (*resultStream, error) {
	var f *future
	select {
	case got, ok := <-p.queue:
		if !ok {
			// The producer stopped: because ctx ended, or after the last.
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		f = got
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-f.ready:
		return f.st, f.err
	case <-ctx.Done():
		// The fetch sees the same ctx end; stop releases its result.
		p.pending = f
		return nil, ctx.Err()
	}
}

// stop cancels every fetch, waits for the goroutines and releases what was
// fetched but not read. It is idempotent.
func (p *prefetcher) stop() {
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
	p.wg.Wait()
	if p.pending != nil {
		p.pending.st.close()
		p.pending = nil
	}
	for f := range p.queue {
		f.st.close()
	}
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// bufferedBody holds the first part of a body in memory; the rest, if any,
// still streams from the network.
type bufferedBody struct {
	io.Reader
	buf  *bytes.Buffer
	rest io.ReadCloser
}

func (b *bufferedBody) Close() error {
	var err error
	if b.rest != nil {
		err = b.rest.Close()
		b.rest = nil
	}
	if b.buf != nil {
		b.buf.Reset()
		bufPool.Put(b.buf)
		b.buf = nil
	}
	return err
}

// readAhead reads up to limit bytes of body into a pooled buffer. When the
// whole body fit, the network body is closed at once, freeing its HTTP
// connection for the next request. A body that breaks while being read
// ahead is released and its error returned: no row of it has been handed
// out, so the caller may fetch it again.
func readAhead(body io.ReadCloser, limit int64) (io.ReadCloser, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	_, err := buf.ReadFrom(io.LimitReader(body, limit))
	if err != nil {
		body.Close()
		buf.Reset()
		bufPool.Put(buf)
		return nil, err
	}
	if int64(buf.Len()) < limit {
		body.Close()
		return &bufferedBody{Reader: bytes.NewReader(buf.Bytes()), buf: buf}, nil
	}
	// A larger body streams its rest when the reader reaches it.
	return &bufferedBody{Reader: io.MultiReader(bytes.NewReader(buf.Bytes()), body), buf: buf, rest: body}, nil
}

// fetchBuffered is fetch for a prefetched partition: the body is read ahead
// into memory so that the network overlaps the caller's scanning. A body
// that breaks while being read ahead is fetched again, within the retry
// budget.
func (c *Conn) fetchBuffered(ctx context.Context, ep *endpoint, id string, part int) (*resultStream, error) {
	start := time.Now()
	var deadline time.Time
	if c.client.retryTO > 0 {
		deadline = start.Add(c.client.retryTO)
	}
	var resp *http.Response
	for attempt := 1; ; attempt++ {
		var err error
		resp, err = c.client.getStatement(ctx, ep, id, part, c.params())
		if err != nil {
			return nil, partitionError(id, part, err)
		}
		body, err := readAhead(resp.Body, prefetchBuffer)
		if err == nil {
			resp.Body = body
			break
		}
		if ctx.Err() != nil {
			return nil, partitionError(id, part, ctx.Err())
		}
		if !c.client.backoff(ctx, attempt, 0, deadline) {
			if ctx.Err() != nil {
				return nil, partitionError(id, part, ctx.Err())
			}
			return nil, partitionError(id, part, &networkError{op: "GET partition body", attempts: attempt, err: err})
		}
		c.client.log.DebugContext(ctx, "deltastream: partition body broke, fetching it again", "partition", part, "attempt", attempt, "error", err)
	}
	return c.settle(ctx, ep, id, part, start, resp)
}
