package delivery

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// A subscription asking for pipelining sends its concurrent requests over
// at most that many connections of its own; without it the same load
// opens a connection per request in flight.
func TestSubscriptionPipeliningBoundsItsConnections(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pipelining int
		check      func(conns int) bool
		want       string
	}{
		{2, func(n int) bool { return n >= 1 && n <= 2 }, "1–2"},
		{0, func(n int) bool { return n > 2 }, "more than 2"},
	} {
		var mu sync.Mutex
		conns := map[string]bool{}
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			time.Sleep(5 * time.Millisecond) // requests pile up while each is answered
			w.WriteHeader(http.StatusNoContent)
		}))
		srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
			if s == http.StateNew {
				mu.Lock()
				conns[c.RemoteAddr().String()] = true
				mu.Unlock()
			}
		}
		srv.Start()
		cfg := testConfig()
		cfg.AllowNetworks = []string{"127.0.0.0/8"}
		b := newMemBroker()
		const events = 200
		for i := range events {
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", fmt.Sprint("c", i), fmt.Sprint("e", i)))
		}
		attempts := make(attemptChan, events)
		ep := Endpoint{URL: srv.URL, Ordering: OrderingNone, Pipelining: tc.pipelining}
		_, stop := runWorker(t, cfg, ep, Deps{Broker: b, Sink: b, Attempts: attempts, Client: NewHTTPClient(cfg)})
		for range events {
			if a := nextAttempt(t, attempts); a.Outcome != "delivered" {
				t.Fatalf("pipelining %d: attempt %+v, want delivered", tc.pipelining, a)
			}
		}
		stop()
		srv.Close()
		mu.Lock()
		n := len(conns)
		mu.Unlock()
		if !tc.check(n) {
			t.Errorf("pipelining %d: %d connections, want %s", tc.pipelining, n, tc.want)
		}
	}
}
