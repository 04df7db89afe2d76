// Package spinner shows that a statement is running: a turning bar and
// the elapsed time on one terminal line, erased when the statement
// answers. The shell starts one only when stderr is a terminal.
package spinner

import (
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

var frames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Spinner redraws its line on every tick until Stop. Its methods are safe
// for concurrent use.
type Spinner struct {
	w     io.Writer
	now   func() time.Time
	start time.Time

	mu     sync.Mutex
	id     string
	drawn  bool
	stop   chan struct{}
	done   chan struct{}
	frame  int
	closed bool
}

// Start draws a spinner on w at every value of tick (the caller owns and
// stops the ticker) until Stop. now gives the time; nil is time.Now.
func Start(w io.Writer, tick <-chan time.Time, now func() time.Time) *Spinner {
	if now == nil {
		now = time.Now
	}
	s := &Spinner{w: w, now: now, start: now(), stop: make(chan struct{}), done: make(chan struct{})}
	go s.loop(tick)
	return s
}

func (s *Spinner) loop(tick <-chan time.Time) {
	defer close(s.done)
	for {
		select {
		case <-s.stop:
			return
		case <-tick:
			s.draw()
		}
	}
}

// SetStatement adds the statement id to the line once the service has
// accepted the statement.
func (s *Spinner) SetStatement(id string) {
	// The id is server text: escape it before it reaches the terminal.
	if q := strconv.QuoteToGraphic(id); q != `"`+id+`"` {
		id = q
	}
	s.mu.Lock()
	s.id = id
	s.mu.Unlock()
}

func (s *Spinner) draw() {
	s.mu.Lock()
	defer s.mu.Unlock()
	elapsed := s.now().Sub(s.start).Round(100 * time.Millisecond)
	line := fmt.Sprintf("\r%s %s", frames[s.frame%len(frames)], elapsed)
	if s.id != "" {
		line += " · statement " + s.id
	}
	s.frame++
	s.drawn = true
	_, _ = io.WriteString(s.w, line+"\x1b[K")
}

// Stop erases the line and returns once the spinner has stopped drawing.
// Calling it again does nothing.
func (s *Spinner) Stop() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done // a draw under way has finished
	if s.drawn {
		_, _ = io.WriteString(s.w, "\r\x1b[K")
	}
}
