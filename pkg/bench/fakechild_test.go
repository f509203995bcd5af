package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// The test binary doubles as a fake engagehub child: with envFakeChild set
// it serves the HTTP surface the bench uses (readyz, subscriptions, events)
// and delivers every event, signed, to every subscription, skipping the
// load event whose sequence number is in envFakeDrop. It lets the tests run
// the whole bench without the pipeline.
const (
	envFakeChild = "BENCH_TEST_FAKE_ENGAGEHUB"
	envFakeDrop  = "BENCH_TEST_FAKE_DROP"
)

func TestMain(m *testing.M) {
	if os.Getenv(envFakeChild) != "" {
		if err := runFakeChild(); err != nil {
			fmt.Fprintln(os.Stderr, "fake engagehub:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type fakeSub struct {
	url    string
	signer *webhook.Signer
}

type fakeChild struct {
	mu   sync.Mutex
	subs map[string]fakeSub
	drop string
	out  chan func()
}

func runFakeChild() error {
	f := &fakeChild{subs: map[string]fakeSub{}, drop: os.Getenv(envFakeDrop), out: make(chan func(), 10000)}
	for range 16 {
		go func() {
			for send := range f.out {
				send()
			}
		}()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	mux.HandleFunc("POST /v1/subscriptions", f.create)
	mux.HandleFunc("DELETE /v1/subscriptions/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("POST /v1/events", f.events)
	srv := &http.Server{Addr: os.Getenv("ENGAGEHUB_HTTP_LISTEN"), Handler: mux}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func (f *fakeChild) create(w http.ResponseWriter, r *http.Request) {
	var req subscriptionRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	text, _ := webhook.NewSecret()
	secret, _ := webhook.ParseSecret(text)
	signer, _ := webhook.NewSigner(secret)
	f.mu.Lock()
	f.subs[req.ID] = fakeSub{url: req.Destination["url"].(string), signer: signer}
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": req.ID, "secret": text})
}

func (f *fakeChild) events(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	var batch []json.RawMessage
	if json.Unmarshal(body.Bytes(), &batch) != nil {
		batch = []json.RawMessage{body.Bytes()}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ev := range batch {
		kind, seq, _ := parseEventID(ev)
		if kind == kindLoad && strconv.Itoa(seq) == f.drop {
			continue
		}
		for _, s := range f.subs {
			f.out <- func() { fakeDeliver(s, ev) }
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func fakeDeliver(s fakeSub, ev []byte) {
	req, _ := http.NewRequest(http.MethodPost, s.url, bytes.NewReader(ev))
	id, ts := "msg_fake", time.Now()
	webhook.SetHeaders(req.Header, id, ts, s.signer.Sign(id, ts, ev), false)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
	}
}
