package render

import (
	"sync"
	"time"
)

// Read-ahead tuning: the queue holds at most queueRows rows; the reading
// goroutine wakes the caller once signalRows rows are queued, and a
// caller with nothing to do looks again after pollEvery, so that rows of a
// slow continuous query wait at most that long. Waking the caller for
// every row would cost a futex round trip per row.
const (
	queueRows  = 1024
	signalRows = 128
	pollEvery  = 10 * time.Millisecond
)

// reader hands out rows one at a time in vals. With readAhead, a goroutine
// reads and scans the rows (the driver's decoding) while the caller
// formats the previous ones: they share a queue under a mutex, and the
// caller takes every row present at once.
type reader struct {
	rows    Rows
	cols    []column
	vals    []any // the current row
	ptrs    []any
	limit   int64
	count   int64 // rows handed out
	limited bool  // reading stopped at limit

	q *rowQueue // nil without readAhead
}

func newReader(rows Rows, cols []column, limit int64) *reader {
	rd := &reader{rows: rows, cols: cols, vals: make([]any, len(cols)), ptrs: make([]any, len(cols)), limit: limit}
	for i := range rd.vals {
		rd.ptrs[i] = &rd.vals[i]
	}
	return rd
}

// next advances to the next row and puts it in rd.vals. At the end it
// returns false with the reading error, if any.
func (rd *reader) next() (bool, error) {
	if rd.q != nil {
		return rd.q.pop(rd)
	}
	ok, err := rd.read()
	if ok {
		rd.count++
	}
	return ok, err
}

// read scans the next row of the source into rd.vals.
func (rd *reader) read() (bool, error) {
	if rd.limit > 0 && rd.count >= rd.limit {
		rd.limited = true
		return false, nil
	}
	if !rd.rows.Next() {
		return false, rd.rows.Err()
	}
	if err := rd.rows.Scan(rd.ptrs...); err != nil {
		return false, err
	}
	return true, nil
}

// rowQueue is the rows read ahead.
type rowQueue struct {
	mu      sync.Mutex
	ready   chan struct{} // signalRows rows queued, or the end
	notFull sync.Cond
	timer   *time.Timer
	buf     []any // rows, len(cols) values each
	n       int   // rows in buf
	taken   []any // rows the caller is handing out
	at, tn  int   // next row in taken, rows in taken
	done    bool  // the reader ended: err is its error
	err     error
	stopped bool // the caller gave up
	exited  chan struct{}
}

// readAhead starts the reading goroutine; close stops it.
func (rd *reader) readAhead() {
	q := &rowQueue{exited: make(chan struct{}), ready: make(chan struct{}, 1)}
	q.notFull.L = &q.mu
	rd.q = q
	src := &reader{rows: rd.rows, cols: rd.cols, vals: make([]any, len(rd.cols)), ptrs: make([]any, len(rd.cols)), limit: rd.limit}
	for i := range src.vals {
		src.ptrs[i] = &src.vals[i]
	}
	go q.fill(src, rd)
}

func (q *rowQueue) fill(src, dst *reader) {
	defer close(q.exited)
	for {
		ok, err := src.read()
		q.mu.Lock()
		for ok && q.n >= queueRows && !q.stopped {
			q.notFull.Wait()
		}
		if q.stopped {
			q.mu.Unlock()
			return
		}
		if !ok {
			q.done, q.err = true, err
			if src.limited {
				dst.limited = true // read by the caller after done, under mu
			}
			q.mu.Unlock()
			q.wake()
			return
		}
		q.buf = append(q.buf, src.vals...)
		q.n++
		src.count++
		n := q.n
		q.mu.Unlock()
		if n == signalRows {
			q.wake()
		}
	}
}

func (q *rowQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// wait returns when rows may be queued: signalled, or after pollEvery.
func (q *rowQueue) wait() {
	if q.timer == nil {
		q.timer = time.NewTimer(pollEvery)
	} else {
		q.timer.Reset(pollEvery)
	}
	select {
	case <-q.ready:
	case <-q.timer.C:
	}
	q.timer.Stop()
}

// pop hands out the next row in rd.vals, taking every queued row at once
// when the rows taken before are used up.
func (q *rowQueue) pop(rd *reader) (bool, error) {
	if q.at == q.tn {
		q.mu.Lock()
		for q.n == 0 && !q.done {
			q.mu.Unlock()
			q.wait()
			q.mu.Lock()
		}
		if q.n == 0 {
			err := q.err
			q.mu.Unlock()
			return false, err
		}
		q.buf, q.taken = q.taken[:0], q.buf
		q.tn, q.at, q.n = q.n, 0, 0
		q.notFull.Signal()
		q.mu.Unlock()
	}
	w := len(rd.vals)
	copy(rd.vals, q.taken[q.at*w:(q.at+1)*w])
	q.at++
	rd.count++
	return true, nil
}

// close stops the reading goroutine and waits for it. If it is blocked in
// Next, the caller must have made Next return (Options.Stop).
func (rd *reader) close() {
	q := rd.q
	if q == nil {
		return
	}
	q.mu.Lock()
	q.stopped = true
	q.notFull.Broadcast()
	q.mu.Unlock()
	<-q.exited
	rd.q = nil
}
