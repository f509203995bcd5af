package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// TestKillNineMidStreamLosesNothing runs the real binary with every role and
// the embedded broker, kills it with SIGKILL while events flow, starts it
// again on the same data, and checks that every event ingest acknowledged
// reaches the webhook receiver, verified, at least once.
func TestKillNineMidStreamLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the engagehub binary")
	}
	bin := buildEngagehub(t)
	rcv := newCountingReceiver(t)
	env := childEnv(t)
	base := "http://" + envValue(env, "ENGAGEHUB_HTTP_LISTEN")

	child := startChild(t, bin, env, base)
	secret := subscribe(t, base, rcv.url)
	rcv.setSecret(t, secret)

	acked := &ackLog{}
	post := func(from, to int) {
		for i := from; i < to; i += 20 {
			if !postBatch(base, i, 20, acked) {
				return
			}
		}
	}
	post(0, 400)
	eventually(t, 30*time.Second, "some deliveries before the kill", func() bool { return rcv.distinct() >= 100 })
	done := make(chan struct{})
	go func() { defer close(done); post(400, 2000) }() // still posting when the kill lands
	eventually(t, 30*time.Second, "more acks before the kill", func() bool { return acked.count() >= 600 })
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	<-done
	t.Logf("killed with %d acked, %d delivered", acked.count(), rcv.distinct())

	startChild(t, bin, env, base)
	post(2000, 2400)
	ids := acked.ids()
	eventually(t, 90*time.Second, "every acknowledged event delivered after the restart", func() bool { return rcv.hasAll(ids) })
	t.Logf("%d events acknowledged, all delivered; %d duplicate deliveries, %d bad signatures", len(ids), rcv.duplicates(), rcv.unverified.Load())
	if n := rcv.unverified.Load(); n > 0 {
		t.Fatalf("%d deliveries failed signature verification", n)
	}
}

func buildEngagehub(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "engagehub")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func childEnv(t *testing.T) []string {
	t.Helper()
	return append(os.Environ(),
		"ENGAGEHUB_HTTP_LISTEN="+freeAddr(t),
		"ENGAGEHUB_KAFKA_EMBEDDED_LISTEN="+freeAddr(t),
		"ENGAGEHUB_KAFKA_EMBEDDED_DIR="+t.TempDir(),
		"ENGAGEHUB_KAFKA_PARTITIONS=3",
		"ENGAGEHUB_AUTH_TOKENS="+testToken,
		"ENGAGEHUB_AUTH_SECRET_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
		"ENGAGEHUB_SENDER_ALLOW_NETWORKS=127.0.0.0/8",
		"ENGAGEHUB_LOG_LEVEL=warn",
	)
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := bytes.Cut([]byte(env[i]), []byte("=")); ok && string(k) == key {
			return string(v)
		}
	}
	return ""
}

// startChild starts `engagehub serve`, waits for /readyz, and kills it at
// the end of the test if it still runs.
func startChild(t *testing.T, bin string, env []string, base string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if status, _ := get(t, base+"/readyz"); status == http.StatusOK {
			return cmd
		}
		if time.Now().After(deadline) {
			t.Fatalf("engagehub not ready within 60s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func subscribe(t *testing.T, base, url string) string {
	t.Helper()
	body := fmt.Sprintf(`{"id":"kill-test","eventTypes":["*"],"destination":{"type":"webhook","url":%q}}`, url)
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/subscriptions", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var created struct{ Secret string }
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil || created.Secret == "" {
		t.Fatalf("create subscription: status %d, %v", res.StatusCode, err)
	}
	return created.Secret
}

// postBatch posts n contact.updated events with ids kill-<i..i+n>; it records
// them as acknowledged only on a 2xx and reports whether the request worked.
func postBatch(base string, from, n int, acked *ackLog) bool {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i := from; i < from+n; i++ {
		if i > from {
			buf.WriteByte(',')
		}
		fmt.Fprintf(&buf, `{"eventId":"kill-%d","eventType":"contact.updated","payload":{"contactId":"c-%d"}}`, i, i%37)
	}
	buf.WriteByte(']')
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/events", &buf)
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode/100 != 2 {
		return false
	}
	for i := from; i < from+n; i++ {
		acked.add(fmt.Sprintf("msg_kill-%d", i))
	}
	return true
}

type ackLog struct {
	mu   sync.Mutex
	list []string
}

func (a *ackLog) add(id string) { a.mu.Lock(); a.list = append(a.list, id); a.mu.Unlock() }
func (a *ackLog) count() int    { a.mu.Lock(); defer a.mu.Unlock(); return len(a.list) }
func (a *ackLog) ids() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.list...)
}

// countingReceiver verifies signatures and counts arrivals per webhook-id.
type countingReceiver struct {
	url        string
	verifier   atomic.Pointer[webhook.Verifier]
	unverified atomic.Int64
	mu         sync.Mutex
	seen       map[string]int
}

func newCountingReceiver(t *testing.T) *countingReceiver {
	r := &countingReceiver{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		v := r.verifier.Load()
		if v == nil {
			w.WriteHeader(http.StatusServiceUnavailable) // not ready: engagehub retries
			return
		}
		id, err := v.Verify(req.Header, body)
		if err != nil {
			r.unverified.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		r.seen[id]++
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func (r *countingReceiver) setSecret(t *testing.T, secret string) {
	t.Helper()
	s, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	v, err := webhook.NewVerifier([]webhook.Secret{s}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.verifier.Store(v)
}

func (r *countingReceiver) distinct() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.seen) }

func (r *countingReceiver) hasAll(ids []string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if r.seen[id] == 0 {
			return false
		}
	}
	return true
}

func (r *countingReceiver) duplicates() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.seen {
		n += c - 1
	}
	return n
}

func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
