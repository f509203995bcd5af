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

// A slow endpoint holding all of its connections must not hold up another
// subscription whose endpoint is on the same host.
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

	shared := webhook.NewHTTPClient(webhook.DialPolicy{Allow: mustNetworks(t, "127.0.0.0/8")}, 0, 2)
	budget := newConnBudget(8)
	slow, fast := ownPool(shared, 2, 2, budget), ownPool(shared, 2, 2, budget)
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

// The connections of every subscription's pool together stay within
// sender.max_conns_total: a dial past it closes the idle ones of the other
// pools first, so a subscription that needs a connection gets one.
func TestConnectionsOfAllPoolsStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	var open, peak atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			if n := open.Add(1); n > peak.Load() {
				peak.Store(n)
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	shared := webhook.NewHTTPClient(webhook.DialPolicy{Allow: mustNetworks(t, "127.0.0.0/8")}, 0, 4)
	budget := newConnBudget(3)
	for i := range 10 { // ten subscriptions, one after another, each keeping its connection idle
		c := ownPool(shared, 4, 4, budget)
		res, err := c.Get(srv.URL + fmt.Sprintf("/s%d", i))
		if err != nil {
			t.Fatalf("subscription %d: %v", i, err)
		}
		res.Body.Close()
	}
	if p := peak.Load(); p > 4 { // 3, plus one the server may not have seen close yet
		t.Fatalf("%d connections open at once, budget 3", p)
	}
}
