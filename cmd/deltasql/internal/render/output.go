package render

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// output buffers what the formats write and flushes it at the end and,
// from a goroutine of its own, every flushEvery while rows are awaited.
// Formats write whole rows at once, so a flush never splits a row.
type output struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// sink is the destination w; it calls onOutput before the first write.
type sink struct {
	w        io.Writer
	once     sync.Once
	onOutput func()
}

func (s *sink) Write(p []byte) (int, error) {
	if s.onOutput != nil {
		s.once.Do(s.onOutput)
	}
	return s.w.Write(p)
}

func newOutput(w io.Writer, onOutput func(), flushEvery time.Duration) *output {
	o := &output{bw: bufio.NewWriterSize(&sink{w: w, onOutput: onOutput}, 64<<10)}
	if flushEvery > 0 {
		o.stop, o.done = make(chan struct{}), make(chan struct{})
		go o.flushLoop(flushEvery)
	}
	return o
}

func (o *output) flushLoop(every time.Duration) {
	defer close(o.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
			o.mu.Lock()
			if o.bw.Buffered() > 0 {
				_ = o.bw.Flush() // the error sticks to bw: the next Write returns it
			}
			o.mu.Unlock()
		}
	}
}

// Write implements io.Writer.
func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.bw.Write(p)
}

// close stops the flushing goroutine and flushes what is left.
func (o *output) close() error {
	if o.stop != nil {
		close(o.stop)
		<-o.done
	}
	return o.bw.Flush()
}
