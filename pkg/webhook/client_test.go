package webhook_test

import (
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

var loopback = webhook.DialPolicy{Allow: []netip.Prefix{
	netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"),
}}

func TestNewTransportSizesPoolsToConcurrencyAndUsesNoProxy(t *testing.T) {
	t.Parallel()
	tests := []struct{ given, want int }{{0, webhook.DefaultMaxConnsPerHost}, {-1, webhook.DefaultMaxConnsPerHost}, {200, 200}}
	for _, tt := range tests {
		tr := webhook.NewTransport(webhook.DialPolicy{}, tt.given)
		if tr.MaxConnsPerHost != tt.want || tr.MaxIdleConnsPerHost != tt.want {
			t.Errorf("given %d: MaxConnsPerHost %d, MaxIdleConnsPerHost %d, want %d",
				tt.given, tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost, tt.want)
		}
		if tr.Proxy != nil || tr.DisableKeepAlives {
			t.Errorf("given %d: proxy set or keep-alives disabled", tt.given)
		}
		if !tr.Protocols.HTTP1() || !tr.Protocols.HTTP2() {
			t.Errorf("given %d: protocols %v, want HTTP/1 and HTTP/2", tt.given, tr.Protocols)
		}
	}
}

func TestHTTPClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	mux.HandleFunc("/elsewhere", func(http.ResponseWriter, *http.Request) { followed.Store(true) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := webhook.NewHTTPClient(loopback, 5*time.Second, 4).Post(srv.URL+"/hook", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed.Load() {
		t.Fatalf("status %d, followed %v; want 302 and not followed", resp.StatusCode, followed.Load())
	}
}

func TestHTTPClientReusesConnections(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	client := webhook.NewHTTPClient(loopback, 5*time.Second, 4)
	for range 20 {
		resp, err := client.Post(srv.URL, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("20 sequential requests opened %d connections, want 1", n)
	}
}

func TestHTTPClientSpeaksHTTP2OverTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := webhook.NewHTTPClient(loopback, 5*time.Second, 4)
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	client.Transport.(*http.Transport).TLSClientConfig.RootCAs = roots
	resp, err := client.Post(srv.URL, "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("protocol %s, want HTTP/2", resp.Proto)
	}
}

func TestHTTPClientTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	resp, err := webhook.NewHTTPClient(loopback, 50*time.Millisecond, 4).Post(srv.URL, "application/json", nil)
	if resp != nil {
		resp.Body.Close()
	}
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("err = %v, want a timeout", err)
	}
}
