package server

import (
	"container/heap"
	"time"
)

// Retention: the server forgets idle statements (Config.StatementTTL,
// Config.MaxStatements), as the service eventually forgets old ones.
//
// A statement is in use while it runs (RunTime or Gate not passed) and
// while a request is using it (a status poll, a partition or dataplane
// fetch being answered, an open WebSocket); otherwise it is idle, and its
// last access is the end of the last request that used it (its submission
// counts). The server keeps every statement in a min-heap keyed by a lower
// bound of its last access; accesses do not touch the heap (they store
// the time in the statement), and a sweep, run under s.mu by every
// submission and lookup, pops only the entries that may be due: an entry
// whose statement was accessed since is pushed back with its new key, one
// still in use is pushed back keyed now, and the others are forgotten.
// Each access therefore costs one heap operation at most, once, and a
// lookup finding nothing due costs a comparison. No goroutine or timer is
// involved.

// sweepBudget bounds the entries a sweep pushes back without forgetting
// them, so that a server whose statements are all in use does not walk
// its whole heap on every request.
const sweepBudget = 64

// Releaser may be implemented by a PageSource that holds resources (a
// temporary table, a file) the server should let go of when it no longer
// needs the pages.
type Releaser interface {
	// Release is called exactly once, once the statement owning the
	// PageSource has been forgotten (Config.StatementTTL,
	// Config.MaxStatements, Forget, or Close) and every request that was
	// reading it has finished; Page is never called after Release. It
	// runs on a request's goroutine, or on Forget's or Close's caller,
	// without server locks held.
	Release()
}

// retains reports whether the server forgets statements on its own.
func (s *Server) retains() bool { return s.ttl > 0 || s.maxStatements > 0 }

// trackLocked starts the retention bookkeeping of st, just added at now;
// s.mu must be held.
func (s *Server) trackLocked(st *statement, now time.Time) {
	st.touched.Store(now.UnixNano())
	if !s.retains() {
		return
	}
	st.hkey = now.UnixNano()
	heap.Push(&s.idle, st)
}

// acquireLocked marks st in use by a request until release; s.mu must be
// held and st must be in s.statements.
func (s *Server) acquireLocked(st *statement) { st.refs.Add(1) }

// release ends a use of st begun by acquireLocked; it is its last access.
func (s *Server) release(st *statement) {
	st.touched.Store(s.clock.Now().UnixNano())
	st.unref()
}

// unref drops one reference to st and releases its PageSource with the
// last one.
func (st *statement) unref() {
	if st.refs.Add(-1) != 0 {
		return
	}
	if r, ok := st.out.Pages.(Releaser); ok {
		r.Release()
	}
}

// forgetLocked removes st from the server's maps and heap; the caller must
// unref it once s.mu is released.
func (s *Server) forgetLocked(st *statement) {
	delete(s.statements, st.id)
	if st.dpToken != "" {
		delete(s.tokens, st.dpToken)
	}
	if st.hidx >= 0 {
		heap.Remove(&s.idle, st.hidx)
	}
}

// sweepLocked forgets the statements that are due at now: those idle for
// StatementTTL and, with capped set, the least recently accessed idle ones
// while there are more than MaxStatements. Only the calls that add
// statements cap, so that a lookup never forgets the statement it is
// about to find for a reason other than its age. s.mu must be held; the
// caller must unref the returned statements once it is released (see
// releaseAll).
func (s *Server) sweepLocked(now time.Time, capped bool) (gone []*statement) {
	if !s.retains() {
		return nil
	}
	n := now.UnixNano()
	budget := sweepBudget
	for len(s.idle) > 0 && budget > 0 {
		st := s.idle[0]
		expired := s.ttl > 0 && n-st.hkey >= int64(s.ttl)
		over := capped && s.maxStatements > 0 && len(s.statements) > s.maxStatements
		// st.hkey >= n: every statement is in use or was accessed just
		// now; the cap waits for a later sweep.
		if !expired && (!over || st.hkey >= n) {
			break
		}
		if t := st.touched.Load(); t > st.hkey {
			st.hkey = t // accessed since it was pushed
		} else if st.refs.Load() > 1 || !st.ready(now) {
			st.hkey = max(n, st.hkey) // in use: as if accessed now
		} else {
			s.forgetLocked(st)
			gone = append(gone, st)
			continue
		}
		heap.Fix(&s.idle, 0)
		budget--
	}
	return gone
}

// releaseAll unrefs statements forgotten under s.mu; s.mu must not be
// held.
func releaseAll(gone []*statement) {
	for _, st := range gone {
		st.unref()
	}
}

// idleHeap orders statements by hkey, the lower bound of their last
// access; it is guarded by s.mu.
type idleHeap []*statement

func (h idleHeap) Len() int           { return len(h) }
func (h idleHeap) Less(i, j int) bool { return h[i].hkey < h[j].hkey }

func (h idleHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].hidx, h[j].hidx = i, j
}

func (h *idleHeap) Push(x any) {
	st := x.(*statement)
	st.hidx = len(*h)
	*h = append(*h, st)
}

func (h *idleHeap) Pop() any {
	old := *h
	st := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	st.hidx = -1
	return st
}

// closeStatements forgets every statement when the server closes, so that
// their PageSources are released; s.mu must not be held.
func (s *Server) closeStatements() {
	s.mu.Lock()
	gone := make([]*statement, 0, len(s.statements))
	for _, st := range s.statements {
		gone = append(gone, st)
	}
	clear(s.statements)
	clear(s.tokens)
	for _, st := range s.idle {
		st.hidx = -1
	}
	s.idle = nil
	s.mu.Unlock()
	releaseAll(gone)
}
