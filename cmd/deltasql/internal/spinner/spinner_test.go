package spinner

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func TestSpinner(t *testing.T) {
	tests := []struct {
		name  string
		ticks int
		id    string
		want  string
	}{
		{"no tick draws nothing", 0, "", ""},
		{"elapsed time", 2, "", "\r⠋ 1.5s\x1b[K\r⠙ 3s\x1b[K\r\x1b[K"},
		{"statement id", 1, "abc", "\r⠋ 1.5s · statement abc\x1b[K\r\x1b[K"},
		{"statement id from a hostile server is escaped", 1, "a\x1b[2Jb", "\r⠋ 1.5s · statement \"a\\x1b[2Jb\"\x1b[K\r\x1b[K"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := time.Unix(0, 0)
			var mu sync.Mutex
			calls := 0
			now := func() time.Time {
				mu.Lock()
				defer mu.Unlock()
				d := time.Duration(calls) * 1500 * time.Millisecond
				calls++
				return base.Add(d)
			}
			tick := make(chan time.Time)
			var out safeBuffer
			s := Start(&out, tick, now)
			s.SetStatement(tt.id)
			for range tt.ticks {
				tick <- base
			}
			s.Stop()
			s.Stop()
			assert.Equal(t, tt.want, out.String())
		})
	}
}
