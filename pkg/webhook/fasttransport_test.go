package webhook_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// fastClient is a client as the sender builds it: the fast transport over
// NewTransport(policy).
func fastClient(policy webhook.DialPolicy) *http.Client {
	c := webhook.NewHTTPClient(policy, 0, 0)
	c.Transport = webhook.NewFastTransport(c.Transport.(*http.Transport))
	return c
}

func TestFastTransportSendsTheRequestAsBuilt(t *testing.T) {
	t.Parallel()
	type seen struct {
		method, uri, host, sig, ua, body string
		length                           int64
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.RequestURI, r.Host, r.Header.Get("Webhook-Signature"), r.Header.Get("User-Agent"), string(b), r.ContentLength}
		w.Header().Set("Retry-After", "30")
		w.Header().Set("Webhook-Delivery", "abort")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("slow down"))
	}))
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/hooks/a%2Fb/x?tenant=1&x=%20", strings.NewReader(`{"a":1}`))
	req.Header.Set("Webhook-Signature", "v1,abc")
	req.Header.Set("User-Agent", "engagehub/test")
	resp, err := fastClient(loopback).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	s := <-got
	want := seen{http.MethodPut, "/hooks/a%2Fb/x?tenant=1&x=%20", req.URL.Host, "v1,abc", "engagehub/test", `{"a":1}`, 7}
	if s != want {
		t.Errorf("receiver saw %+v, want %+v", s, want)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "30" ||
		resp.Header.Get("Webhook-Delivery") != "abort" || string(body) != "slow down" {
		t.Errorf("response %d %v %q, want 429 with Retry-After, Webhook-Delivery and its body", resp.StatusCode, resp.Header, body)
	}
}

func TestFastTransportRefusesLoopbackWithoutSendingRequest(t *testing.T) {
	t.Parallel()
	var hit atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Store(true) }))
	defer srv.Close()
	_, err := fastClient(webhook.DialPolicy{}).Post(srv.URL, "application/json", nil)
	if !errors.Is(err, webhook.ErrAddressNotAllowed) || hit.Load() {
		t.Fatalf("err %v, request arrived %v; want the dial policy's refusal and nothing sent", err, hit.Load())
	}
}

func TestFastTransportDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var followed atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/elsewhere", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(http.ResponseWriter, *http.Request) { followed.Store(true) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := fastClient(loopback).Post(srv.URL+"/hook", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || followed.Load() {
		t.Fatalf("status %d, followed %v; want 302 and not followed", resp.StatusCode, followed.Load())
	}
}

// A receiver answering with a huge body costs what the caller reads of it,
// and the next request still goes out.
func TestFastTransportReadsAHugeResponseOnlyAsFarAsAsked(t *testing.T) {
	t.Parallel()
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/small" {
			return
		}
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 1024 { // 64 MiB, unless the client goes away
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	client := fastClient(loopback)
	resp, err := client.Get(srv.URL + "/huge")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := io.CopyN(io.Discard, resp.Body, 1024); n != 1024 {
		t.Fatalf("read %d bytes of the body, want 1024", n)
	}
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Error("read after close succeeded")
	}
	resp, err = client.Get(srv.URL + "/small")
	if err != nil {
		t.Fatalf("the request after a huge response: %v", err)
	}
	resp.Body.Close()
	if n := sent.Load(); n >= 64<<20 {
		t.Errorf("the receiver wrote all %d bytes: the client read the whole body", n)
	}
}

func TestFastTransportTimesOutAtTheContextDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	start := time.Now()
	_, err := fastClient(loopback).Do(req)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("returned after %s, want at the 100ms deadline", d)
	}
}

// A receiver that closes idle keep-alive connections (its own idle timeout
// shorter than ours) does not fail the next delivery.
func TestFastTransportResendsOnAConnectionTheReceiverClosed(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	client := fastClient(loopback)
	for i := range 3 {
		resp, err := client.Post(srv.URL, "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		resp.Body.Close()
		time.Sleep(150 * time.Millisecond) // the receiver closes the idle connection
	}
}

func TestFastTransportPresentsTheClientCertificateOverTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TLS.PeerCertificates) == 0 {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert}
	srv.StartTLS()
	defer srv.Close()
	base := webhook.NewTransport(loopback, 0)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	base.TLSClientConfig.RootCAs = pool
	plain := &http.Client{Transport: webhook.NewFastTransport(base)}
	resp, err := plain.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a certificate: %d, want 401", resp.StatusCode)
	}
	withCert := base.Clone()
	withCert.TLSClientConfig.Certificates = srv.TLS.Certificates // the server's own pair will do as a client's
	resp, err = (&http.Client{Transport: webhook.NewFastTransport(withCert)}).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("with a certificate: %d, want 204", resp.StatusCode)
	}
}
