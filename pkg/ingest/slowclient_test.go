package ingest

import (
	"bufio"
	"bytes"
	"context"

	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// openSlow opens n connections to addr that each declare a body of length
// bytes and send its first byte only; they are closed when the test ends.
func openSlow(t *testing.T, addr string, n, length int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range conns {
			_ = c.Close()
		}
	})
	head := "POST /ingest/engage HTTP/1.1\r\nHost: ingest\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(length) + "\r\n\r\n{"
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		if _, err := c.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
	}
	return conns
}

// signedPost returns a signed client request for POST url/ingest/engage.
func (f *fixture) signedPost(t testing.TB, base, msgID string, body []byte) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, base+"/ingest/engage", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(webhook.SvixHeaderID, msgID)
	r.Header.Set(webhook.SvixHeaderTimestamp, strconv.FormatInt(f.now.Unix(), 10))
	r.Header.Set(webhook.SvixHeaderSignature, f.signer.Sign(msgID, f.now, body))
	return r
}

// waitBodies polls until n request bodies are in flight.
func (f *fixture) waitBodies(t testing.TB, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for f.in.budget.bodies.Load() != n {
		if time.Now().After(deadline) {
			t.Fatalf("bodies in flight = %d, want %d", f.in.budget.bodies.Load(), n)
		}
		runtime.Gosched()
	}
}

func heapInuse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func TestSlowClientsDeclaringLargeBodiesHoldOnlyWhatTheySent(t *testing.T) {
	f := newFixture(t, nil)
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close) // after the slow connections close (cleanups run last first)
	const slow = 300
	base := heapInuse()
	openSlow(t, srv.Listener.Addr().String(), slow, 1<<20)
	f.waitBodies(t, slow)
	grew := int64(heapInuse()) - int64(base)
	t.Logf("%d slow connections declaring 1 MiB: heap grew %d KiB (%d bytes each); budget holds %d bytes",
		slow, grew>>10, grew/slow, f.in.budget.used.Load())
	if limit := int64(slow * 64 << 10); grew > limit {
		t.Fatalf("heap grew %d MiB for %d slow connections, want under %d MiB (the bytes they sent, not the length they declared)",
			grew>>20, slow, limit>>20)
	}
	start := time.Now()
	resp, err := srv.Client().Do(f.signedPost(t, srv.URL, "msg_normal", example(t, event.PointBalanceUpdated)))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	t.Logf("normal request beside them answered %d in %v", resp.StatusCode, time.Since(start))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("normal request = %d, want 200", resp.StatusCode)
	}
}

func TestBodiesPastMaxInFlightBytesGet503WithRetryAfter(t *testing.T) {
	f := newFixture(t, func(c *Config) {
		c.MaxBodyBytes = 4096
		c.MaxInFlightBytes = 10_000 // two slow bodies of 4 KiB leave no room for a third
	})
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close) // after the slow connections close (cleanups run last first)
	conns := openSlow(t, srv.Listener.Addr().String(), 2, 4000)
	f.waitBodies(t, 2)
	body := example(t, event.PointBalanceUpdated)
	resp, err := srv.Client().Do(f.signedPost(t, srv.URL, "msg_busy", body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the budget: %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	for _, c := range conns {
		_ = c.Close()
	}
	f.waitBodies(t, 0)
	if used := f.in.budget.used.Load(); used != 0 {
		t.Fatalf("budget holds %d bytes with no request in flight", used)
	}
	resp, err = srv.Client().Do(f.signedPost(t, srv.URL, "msg_busy", body))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("after the slow bodies left: %d, want 200", resp.StatusCode)
	}
}

func TestBodyStillArrivingAtReadTimeoutIs408(t *testing.T) {
	f := newFixture(t, nil)
	cfg := httpapi.DefaultConfig()
	cfg.Listen, cfg.ReadTimeout = "127.0.0.1:0", 200*time.Millisecond
	srv, err := httpapi.Listen(cfg, f.handler, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	defer func() { cancel(); <-done }()
	conn := openSlow(t, srv.Addr(), 1, 1<<20)[0]
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second)) // a guard, not the behaviour under test
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a body stalled past http.read_timeout: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status = %d, want 408", resp.StatusCode)
	}
	f.waitBodies(t, 0)
}
