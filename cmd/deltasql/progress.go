package main

import (
	"context"

	"github.com/deltastream-go/deltastream"
	"github.com/deltastream-go/deltastream/cmd/deltasql/internal/spinner"
)

// withStatementProgress hooks the spinner to the statement: its id appears
// as soon as the service accepts the statement (WithStatementAccepted), and
// each poll of a statement still running refreshes it (WithProgress), so a
// batch shows the statement being waited for. Both hooks run on the
// statement's goroutine and only set a field under the spinner's lock.
func withStatementProgress(ctx context.Context, sp *spinner.Spinner) context.Context {
	ctx = deltastream.WithStatementAccepted(ctx, func(info deltastream.StatementInfo) {
		sp.SetStatement(info.ID)
	})
	return deltastream.WithProgress(ctx, func(p deltastream.Progress) {
		sp.SetStatement(p.StatementID)
	})
}
