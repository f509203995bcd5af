package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// pipeliningClient is a client as the sender builds it with
// sender.pipelining set to conns.
func pipeliningClient(policy webhook.DialPolicy, conns int) *http.Client {
	c := webhook.NewHTTPClient(policy, 0, 0)
	c.Transport = webhook.NewPipeliningTransport(c.Transport.(*http.Transport), conns, time.Minute)
	return c
}

// connCounter counts the connections a test server accepted.
type connCounter struct {
	mu    sync.Mutex
	conns map[string]bool
}

func (c *connCounter) state(conn net.Conn, s http.ConnState) {
	if s == http.StateNew {
		c.mu.Lock()
		c.conns[conn.RemoteAddr().String()] = true
		c.mu.Unlock()
	}
}

func (c *connCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.conns)
}

// echoServer answers each request with its path and body, its webhook-id
// in Webhook-Delivery, and counts its connections; idle > 0 closes a
// connection idle that long.
func echoServer(t *testing.T, idle time.Duration) (*httptest.Server, *connCounter) {
	t.Helper()
	counter := &connCounter{conns: map[string]bool{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Webhook-Delivery", r.Header.Get("Webhook-Id"))
		_, _ = fmt.Fprintf(w, "%s %s", r.URL.Path, b)
	}))
	srv.Config.ConnState = counter.state
	srv.Config.IdleTimeout = idle
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, counter
}

func TestPipeliningTransportCarriesConcurrentRequestsOverAtMostItsConnections(t *testing.T) {
	t.Parallel()
	const conns, requests = 2, 200
	srv, counter := echoServer(t, 0)
	client := pipeliningClient(loopback, conns)
	var wg sync.WaitGroup
	errs := make(chan error, requests)
	for i := range requests {
		wg.Go(func() { errs <- pipelinedPost(client, srv.URL, i) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := counter.count(); n > conns {
		t.Errorf("the receiver accepted %d connections, want at most %d", n, conns)
	}
}

// pipelinedPost posts request i and checks that its own answer came back.
func pipelinedPost(client *http.Client, base string, i int) error {
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/hook/%d", base, i), strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
	req.Header.Set("Webhook-Id", fmt.Sprint("msg_", i))
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("request %d: %w", i, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	want := fmt.Sprintf(`/hook/%d {"n":%d}`, i, i)
	if resp.StatusCode != http.StatusOK || string(body) != want || resp.Header.Get("Webhook-Delivery") != fmt.Sprint("msg_", i) {
		return fmt.Errorf("request %d: answer %d %q (header %q), want 200 %q", i, resp.StatusCode, body, resp.Header.Get("Webhook-Delivery"), want)
	}
	return nil
}

// A receiver that closes a kept-alive connection between requests (its
// idle timeout) costs no failed delivery: the request finding it closed
// goes out again on a new one.
func TestPipeliningTransportResendsWhenTheReceiverClosedTheConnection(t *testing.T) {
	t.Parallel()
	srv, counter := echoServer(t, 20*time.Millisecond) // closes a connection idle that long
	client := pipeliningClient(loopback, 1)
	for i := range 3 {
		if err := pipelinedPost(client, srv.URL, i); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // the receiver closes the idle connection
	}
	if n := counter.count(); n < 2 {
		t.Fatalf("the receiver accepted %d connection(s); the test needs it to have closed one", n)
	}
}

func TestPipeliningTransportRefusesLoopbackWithoutSendingRequest(t *testing.T) {
	t.Parallel()
	var hit sync.Once
	sent := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit.Do(func() { sent = true }) }))
	defer srv.Close()
	client := pipeliningClient(webhook.DialPolicy{}, 2)
	for range 2 { // the first dials, the second finds the host refused
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
		_, err := client.Do(req)
		cancel()
		if !errors.Is(err, webhook.ErrAddressNotAllowed) {
			t.Fatalf("err %v; want the dial policy's refusal", err)
		}
	}
	if sent {
		t.Fatal("a request reached the receiver")
	}
}

// A receiver that refuses connections is reported as refusing them, not as
// a timeout: a request does not queue for a connection that is not coming.
func TestPipeliningTransportReportsARefusedConnection(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	client := pipeliningClient(loopback, 2)
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/hook", nil)
		_, err := client.Do(req)
		cancel()
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("request %d: err %v, want connection refused", i, err)
		}
	}
}
