package emulator

import "sync"

// hub tells waiting readers that rows were appended to a relation. A
// reader takes the relation's current signal channel before it reads,
// reads everything up to the end of the log, and when there was nothing
// new waits for that channel to close: a commit after the take closes it,
// so no row is missed and no reader polls. The hub holds no rows: every
// reader pulls its own rows from the store at its own pace, which is what
// bounds a slow reader's backlog.
type hub struct {
	mu      sync.Mutex
	signals map[int64]chan struct{}
}

func newHub() *hub { return &hub{signals: map[int64]chan struct{}{}} }

// signal returns the channel that closes at the next append to rel.
func (h *hub) signal(rel int64) <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	ch, ok := h.signals[rel]
	if !ok {
		ch = make(chan struct{})
		h.signals[rel] = ch
	}
	return ch
}

// notify wakes every reader of the given relations; call it after the
// appends are committed.
func (h *hub) notify(rels map[int64]bool) {
	if len(rels) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for rel := range rels {
		if ch, ok := h.signals[rel]; ok {
			close(ch)
			delete(h.signals, rel)
		}
	}
}

// closeAll wakes every reader, for shutdown and drops.
func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for rel, ch := range h.signals {
		close(ch)
		delete(h.signals, rel)
	}
}
