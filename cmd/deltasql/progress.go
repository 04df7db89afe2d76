package main

import (
	"context"

	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/spinner"
)

// withStatementProgress hooks the spinner to the statement's progress. For
// now the spinner shows the elapsed time only.
func withStatementProgress(ctx context.Context, sp *spinner.Spinner) context.Context {
	// statement id: wire deltastream.WithProgress
	_ = sp
	return ctx
}
