package main

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/pager"
)

// page shows what pw held back, through the pager when it does not fit
// on the screen.
func (s *shell) page(pw *pagingWriter) error {
	text := pw.held()
	if len(text) == 0 {
		return nil
	}
	h, w := s.term.size()
	if !pager.Needed(text, h, w) {
		_, err := s.stdout.Write(text)
		return err
	}
	if s.editor != nil {
		s.editor.Suspend()
		defer s.editor.Resume()
	}
	if err := pager.Run(context.Background(), s.pager, text, s.stdout, s.stderr); err != nil {
		_, werr := s.stdout.Write(text) // the pager failed: show it all the same
		return werr
	}
	return nil
}

// pagingWriter holds output back so that the shell can decide, once the
// result is complete, whether it needs the pager; a table that starts
// streaming (a continuous query) is passed through as it comes.
type pagingWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     bytes.Buffer
	through bool
}

func (p *pagingWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.through {
		return p.w.Write(b)
	}
	return p.buf.Write(b)
}

func (p *pagingWriter) passThrough() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.through = true
	_, _ = p.w.Write(p.buf.Bytes())
	p.buf.Reset()
}

func (p *pagingWriter) held() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Bytes()
}
