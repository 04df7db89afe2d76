package main

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/term"
)

// terminal tells which of the standard streams are terminals and how big
// the output terminal is.
type terminal struct {
	inTTY, outTTY, errTTY bool
	outFd                 int
}

func detectTerminal(stdin, stdout, stderr any) terminal {
	isTTY := func(f any) (int, bool) {
		if f, ok := f.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return int(f.Fd()), true
		}
		return -1, false
	}
	_, in := isTTY(stdin)
	fd, out := isTTY(stdout)
	_, errTTY := isTTY(stderr)
	return terminal{inTTY: in, outTTY: out, errTTY: errTTY, outFd: fd}
}

// size returns the output terminal's height and width, zero when unknown.
func (t terminal) size() (height, width int) {
	if !t.outTTY {
		return 0, 0
	}
	w, h, err := term.GetSize(t.outFd)
	if err != nil {
		return 0, 0
	}
	return h, w
}

// width is the width tables are fitted to: the terminal's when the output
// goes to it, else none.
func (t terminal) width(toStdout bool) int {
	if !toStdout {
		return 0
	}
	_, w := t.size()
	return w
}

// interrupter turns SIGINT (Ctrl-C) into the cancellation of the running
// statement, so that the shell itself survives it.
type interrupter struct {
	ch   chan os.Signal
	done chan struct{}

	mu     sync.Mutex
	cancel func()
	idle   func() // called for a Ctrl-C while no statement runs (one-shot: stop everything)
	hit    bool
}

// newInterrupter starts relaying SIGINT; idle (may be nil) is called for
// a Ctrl-C while no statement runs.
func newInterrupter(idle func()) *interrupter {
	i := &interrupter{ch: make(chan os.Signal, 1), done: make(chan struct{}), idle: idle}
	signal.Notify(i.ch, os.Interrupt)
	go func() {
		defer close(i.done)
		for range i.ch {
			i.mu.Lock()
			i.hit = true
			switch {
			case i.cancel != nil:
				i.cancel()
			case i.idle != nil:
				i.idle()
			}
			i.mu.Unlock()
		}
	}()
	return i
}

// set makes cancel the func that the next Ctrl-C calls (nil: none) and
// forgets an earlier Ctrl-C.
func (i *interrupter) set(cancel func()) {
	i.mu.Lock()
	i.cancel = cancel
	if cancel != nil {
		i.hit = false
	}
	i.mu.Unlock()
}

// fired reports whether Ctrl-C was pressed since the last set.
func (i *interrupter) fired() bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.hit
}

// stop restores the default SIGINT handling.
func (i *interrupter) stop() {
	signal.Stop(i.ch)
	close(i.ch)
	<-i.done
}
