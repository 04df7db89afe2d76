package deltastream

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPollSchedule checks the cost and lateness of the poll schedule on a
// simulated clock: how many requests a statement that finishes after D
// costs (the submission included), and how late its end is seen.
func TestPollSchedule(t *testing.T) {
	cfg := NewConfig()
	tests := []struct {
		d           time.Duration
		maxRequests int
		maxLate     time.Duration
	}{
		{20 * time.Millisecond, 3, 10 * time.Millisecond},
		{100 * time.Millisecond, 9, 34 * time.Millisecond},
		{500 * time.Millisecond, 15, 167 * time.Millisecond},
		{10 * time.Second, 40, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.d.String(), func(t *testing.T) {
			for range 200 { // jitter varies the schedule
				start := time.Unix(0, 0)
				p := newPoller(cfg, start)
				now, requests := start, 1
				for now.Sub(start) < tt.d {
					w := p.next(now)
					assert.GreaterOrEqual(t, w, cfg.MinPollInterval)
					assert.LessOrEqual(t, w, cfg.MaxPollInterval)
					now = now.Add(w)
					requests++
				}
				assert.LessOrEqual(t, requests, tt.maxRequests)
				assert.LessOrEqual(t, now.Sub(start)-tt.d, tt.maxLate)
			}
		})
	}
}
