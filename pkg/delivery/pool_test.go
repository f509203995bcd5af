package delivery

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
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

func mustNetworks(t *testing.T, cidrs ...string) []netip.Prefix {
	t.Helper()
	p, err := webhook.ParseNetworks(cidrs)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The webhook connections to every receiver together stay within
// sender.max_conns_total: a dial past it closes the idle ones first, so a
// subscription that needs a connection gets one.
func TestConnectionsOfAllReceiversStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	var open, peak atomic.Int64
	count := func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			if n := open.Add(1); n > peak.Load() {
				peak.Store(n)
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	cfg := DefaultConfig()
	cfg.AllowNetworks, cfg.MaxConnsTotal = []string{"127.0.0.0/8"}, 3
	shared := NewHTTPClient(cfg)
	NewSupervisor(cfg, Deps{Client: shared}) // adopts the client's transport into its budget
	// ten receivers, one after another, each connection kept idle
	for i := range 10 {
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
		srv.Config.ConnState = count
		srv.Start()
		defer srv.Close()
		res, err := shared.Get(srv.URL + fmt.Sprintf("/s%d", i))
		if err != nil {
			t.Fatalf("receiver %d: %v", i, err)
		}
		res.Body.Close()
	}
	if p := peak.Load(); p > 4 { // 3, plus one a server may not have seen close yet
		t.Fatalf("%d connections open at once, budget 3", p)
	}
}
