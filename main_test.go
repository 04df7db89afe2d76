package deltastream

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind: prefetchers,
// streams and request bodies must all be released.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
