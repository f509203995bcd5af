package delivery

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// connBudget bounds the webhook connections open over all subscriptions
// (sender.max_conns_total): file descriptors, and the two goroutines
// net/http runs per connection, bounded by configuration. A dial past the
// budget first closes the connections sitting idle in every pool it
// adopted, then waits for one to close.
type connBudget struct {
	tokens chan struct{}
	mu     sync.Mutex
	pools  map[*http.Transport]struct{}
}

// newConnBudget returns a budget of n connections; nil (no budget) for n ≤ 0.
func newConnBudget(n int) *connBudget {
	if n <= 0 {
		return nil
	}
	return &connBudget{tokens: make(chan struct{}, n), pools: map[*http.Transport]struct{}{}}
}

// adopt makes t dial within the budget.
func (b *connBudget) adopt(t *http.Transport) {
	next := t.DialContext
	if next == nil {
		next = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if !b.acquire(ctx) {
			return nil, ctx.Err()
		}
		c, err := next(ctx, network, addr)
		if err != nil {
			b.release()
			return nil, err
		}
		return &budgetConn{Conn: c, release: sync.OnceFunc(b.release)}, nil
	}
	b.mu.Lock()
	b.pools[t] = struct{}{}
	b.mu.Unlock()
}

func (b *connBudget) acquire(ctx context.Context) bool {
	select {
	case b.tokens <- struct{}{}:
		return true
	default:
	}
	b.closeIdle()
	select {
	case b.tokens <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (b *connBudget) release() { <-b.tokens }

func (b *connBudget) closeIdle() {
	b.mu.Lock()
	pools := make([]*http.Transport, 0, len(b.pools))
	for t := range b.pools {
		pools = append(pools, t)
	}
	b.mu.Unlock()
	for _, t := range pools {
		t.CloseIdleConnections()
	}
}

// budgetConn gives its token back when net/http closes it.
type budgetConn struct {
	net.Conn
	release func()
}

func (c *budgetConn) Close() error {
	c.release()
	return c.Conn.Close()
}
