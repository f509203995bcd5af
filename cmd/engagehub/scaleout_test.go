package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// TestThreeSenderProcessesOneKilledLoseNothing runs the real binary as one
// process with ingest, fan-out, admin and the embedded broker, and three
// sender-only processes sharing many subscriptions through one consumer
// group. One sender is killed with SIGKILL mid-stream and started again:
// every acknowledged event reaches every subscription, verified, and the
// duplicates are counted (scaled down; `engagehub bench` runs 1,000).
func TestThreeSenderProcessesOneKilledLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the engagehub binary")
	}
	const subs = 30
	bin := buildEngagehub(t)
	rcv := newMultiReceiver(t)
	env := childEnv(t)
	base := "http://" + envValue(env, "ENGAGEHUB_HTTP_LISTEN")
	startRoles(t, bin, env, base, "ingest,fanout,admin")
	for i := range subs {
		id := fmt.Sprintf("s%02d", i)
		rcv.setSecret(t, id, subscribeAs(t, base, id, rcv.url+"/"+id))
	}
	senderEnv := func() ([]string, string) {
		e := append(append([]string(nil), env...),
			"ENGAGEHUB_HTTP_LISTEN="+freeAddr(t),
			"ENGAGEHUB_KAFKA_BROKERS="+envValue(env, "ENGAGEHUB_KAFKA_EMBEDDED_LISTEN"),
			"ENGAGEHUB_SENDER_FETCH_SESSION_TIMEOUT=6s", "ENGAGEHUB_KAFKA_REPLICATION_FACTOR=1")
		return e, "http://" + envValue(e, "ENGAGEHUB_HTTP_LISTEN")
	}
	var senders []*exec.Cmd
	for range 3 {
		e, b := senderEnv()
		senders = append(senders, startRoles(t, bin, e, b, "sender"))
	}

	acked := &ackLog{}
	post := func(from, to int) {
		for i := from; i < to; i += 20 {
			if !postBatch(base, i, 20, acked) {
				return
			}
		}
	}
	post(0, 200)
	eventually(t, 60*time.Second, "deliveries before the kill", func() bool { return rcv.total() >= subs*100 })
	done := make(chan struct{})
	go func() { defer close(done); post(200, 600) }()
	if err := senders[1].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = senders[1].Wait()
	<-done
	e, b := senderEnv()
	startRoles(t, bin, e, b, "sender")
	post(600, 700)
	ids := acked.ids()
	eventually(t, 120*time.Second, "every acknowledged event at every subscription", func() bool { return rcv.hasAll(ids) })
	if n := rcv.unverified(); n > 0 {
		t.Fatalf("%d deliveries failed signature verification", n)
	}
	t.Logf("%d subscriptions × %d events acknowledged, all delivered; %d duplicate deliveries", subs, len(ids), rcv.total()-subs*len(ids))
}

// startRoles starts `engagehub serve --roles roles` like startChild.
func startRoles(t *testing.T, bin string, env []string, base, roles string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--roles", roles)
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
			t.Fatalf("engagehub --roles %s not ready within 60s:\n%s", roles, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func subscribeAs(t *testing.T, base, id, url string) string {
	t.Helper()
	body := fmt.Sprintf(`{"id":%q,"eventTypes":["*"],"destination":{"type":"webhook","url":%q}}`, id, url)
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/subscriptions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var created struct{ Secret string }
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil || created.Secret == "" {
		t.Fatalf("create subscription %s: status %d, %v", id, res.StatusCode, err)
	}
	return created.Secret
}

// multiReceiver verifies each subscription's deliveries (path /<id>) with
// its own secret and counts arrivals per subscription and webhook-id.
type multiReceiver struct {
	url       string
	mu        sync.Mutex
	verifiers map[string]*webhook.Verifier
	seen      map[string]int // "<id>/<webhook-id>"
	bad       int
}

func newMultiReceiver(t *testing.T) *multiReceiver {
	r := &multiReceiver{verifiers: map[string]*webhook.Verifier{}, seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

func (r *multiReceiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	sub := strings.TrimPrefix(req.URL.Path, "/")
	r.mu.Lock()
	v := r.verifiers[sub]
	r.mu.Unlock()
	if v == nil {
		w.WriteHeader(http.StatusServiceUnavailable) // secret not known yet: engagehub retries
		return
	}
	id, err := v.Verify(req.Header, body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.seen[sub+"/"+id]++
	w.WriteHeader(http.StatusNoContent)
}

func (r *multiReceiver) setSecret(t *testing.T, sub, secret string) {
	t.Helper()
	s, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	v, err := webhook.NewVerifier([]webhook.Secret{s}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	r.verifiers[sub] = v
	r.mu.Unlock()
}

func (r *multiReceiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.seen {
		n += c
	}
	return n
}

func (r *multiReceiver) unverified() int { r.mu.Lock(); defer r.mu.Unlock(); return r.bad }

// hasAll reports whether every subscription got every id.
func (r *multiReceiver) hasAll(ids []string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for sub := range r.verifiers {
		for _, id := range ids {
			if r.seen[sub+"/"+id] == 0 {
				return false
			}
		}
	}
	return true
}
