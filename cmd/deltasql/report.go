package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/render"
)

// report prints an error as one block on stderr: the SQL state, the
// message and the statement id, in red on a terminal. Server text is
// escaped and the token masked.
func (s *shell) report(err error) {
	fmt.Fprint(s.stderr, s.errorBlock(err))
}

func (s *shell) errorBlock(err error) string {
	var b strings.Builder
	var de *deltastream.Error
	switch {
	case errors.Is(err, errCancelled):
		b.WriteString("Cancelled.\n")
	case errors.As(err, &de):
		state := de.State
		if state == "" && de.HTTPStatus != 0 {
			state = fmt.Sprintf("HTTP %d", de.HTTPStatus)
		}
		fmt.Fprintf(&b, "ERROR %s: %s\n", state, s.clean(de.Message))
		if de.Position > 0 {
			fmt.Fprintf(&b, "  statement %d of the batch\n", de.Position)
		}
		if de.StatementID != "" {
			fmt.Fprintf(&b, "  statement id: %s\n", s.clean(de.StatementID))
		}
		if de.TraceID != "" {
			fmt.Fprintf(&b, "  trace id: %s\n", s.clean(de.TraceID))
		}
	case errors.Is(err, context.DeadlineExceeded):
		b.WriteString("ERROR: the statement timed out\n")
	default:
		fmt.Fprintf(&b, "ERROR: %s\n", s.clean(err.Error()))
		if id := deltastream.StatementIDOf(err); id != "" {
			fmt.Fprintf(&b, "  statement id: %s\n", s.clean(id))
		}
	}
	if s.term.errTTY {
		return "\x1b[31m" + strings.TrimSuffix(b.String(), "\n") + "\x1b[0m\n"
	}
	return b.String()
}

// clean masks secrets and escapes control characters of server text.
func (s *shell) clean(text string) string { return render.Escape(s.redact(text)) }
