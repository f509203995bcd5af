package delivery

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
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
	slow, fast := ownPool(shared, 2), ownPool(shared, 2)
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
