package dstest_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/deltastream-go/deltastream/dstest"
)

func TestWithStatementTTL(t *testing.T) {
	tests := []struct {
		name string
		opts []dstest.Option
		idle time.Duration
		want int
	}{
		{"kept without the option", nil, 24 * time.Hour, http.StatusOK},
		{"kept while younger than the TTL", []dstest.Option{dstest.WithStatementTTL(time.Minute)}, 59 * time.Second, http.StatusOK},
		{"forgotten after the TTL", []dstest.Option{dstest.WithStatementTTL(time.Minute)}, time.Minute, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &ttlClock{now: time.Unix(1700000000, 0)}
			srv := dstest.NewServer(t, append([]dstest.Option{dstest.WithClock(clock)}, tt.opts...)...)
			srv.On("SELECT 1;").Rows([]any{1})
			c := newClient(t, srv)
			id := c.sql("SELECT 1;").rs(t).StatementID
			clock.advance(tt.idle)
			assert.Equal(t, tt.want, c.get("/statements/"+id).status)
		})
	}
}

// ttlClock is a manually advanced clock.
type ttlClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *ttlClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *ttlClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
