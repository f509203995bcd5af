package delivery

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// A slow endpoint holding all of its connections (its concurrency,
// min(maxInFlight, max_conns_per_host)) must not hold up another
// subscription whose endpoint is on the same host: the shared transport
// sets no per-host connection limit.
func TestSlowEndpointDoesNotStarveAnotherOnTheSameHost(t *testing.T) {
	release, arrived := make(chan struct{}), make(chan struct{}, 2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			arrived <- struct{}{}
			<-release
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	defer close(release)

	cfg := DefaultConfig()
	cfg.AllowNetworks, cfg.MaxConnsPerHost = []string{"127.0.0.0/8"}, 2
	shared := NewHTTPClient(cfg) // every worker's client
	slow, fast := shared, shared
	for range 2 { // every connection the slow subscription may open
		go func() {
			if res, err := slow.Get(srv.URL + "/slow"); err == nil {
				res.Body.Close()
			}
		}()
	}
	<-arrived // the slow subscription now holds both of its connections
	<-arrived
	done := make(chan error, 1)
	go func() {
		res, err := fast.Get(srv.URL + "/fast")
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the fast subscription waited for the slow one's connections")
	}
}

// The webhook connections to every receiver together stay within
// sender.max_conns_total: at most max_in_flight_total in use and the rest
// idle, the least recently used idle one closed first.
func TestConnectionsOfAllReceiversStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	cfg := DefaultConfig()
	cfg.AllowNetworks, cfg.MaxInFlightTotal, cfg.MaxConnsTotal = []string{"127.0.0.0/8"}, 2, 3
	shared := NewHTTPClient(cfg)
	tr := shared.Transport.(*http.Transport)
	var open, dialed atomic.Int64
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err == nil {
			open.Add(1)
			dialed.Add(1)
			c = &countedConn{Conn: c, open: &open}
		}
		return c, err
	}
	// ten receivers, one after another, each connection left idle
	for i := range 10 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		defer srv.Close()
		res, err := shared.Get(srv.URL + fmt.Sprintf("/s%d", i))
		if err != nil {
			t.Fatalf("receiver %d: %v", i, err)
		}
		res.Body.Close()
		if n := open.Load(); n > 1 { // none in use: max_conns_total − max_in_flight_total = 1 idle
			t.Fatalf("after receiver %d: %d connections open, want at most the 1 idle the budget leaves", i, n)
		}
	}
	if n := dialed.Load(); n != 10 {
		t.Fatalf("%d connections dialed, want one per receiver (10)", n)
	}
}

// countedConn counts itself out of open when closed.
type countedConn struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// The shared client is fasthttp's unless net/http is asked for, or
// max_conns_total needs net/http's pool bound across receivers.
func TestHTTPClientIsTheConfiguredOne(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		client   string
		maxTotal int
		fast     bool
	}{{"default", HTTPClientFast, 0, true}, {"net/http", HTTPClientStd, 0, false}, {"max_conns_total", HTTPClientFast, 1024, false}} {
		cfg := DefaultConfig()
		cfg.HTTPClient, cfg.MaxConnsTotal = tc.client, tc.maxTotal
		_, fast := NewHTTPClient(cfg).Transport.(*webhook.FastTransport)
		if fast != tc.fast {
			t.Errorf("%s: fasthttp transport %v, want %v", tc.name, fast, tc.fast)
		}
	}
}
