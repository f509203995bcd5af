package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// The test binary doubles as a fake engagehub child: with envFakeChild set
// it serves the HTTP surface the bench uses (readyz, subscriptions, events,
// the goroutine profile) and delivers every event, signed, to every
// subscription, skipping the load event whose sequence number is in
// envFakeDrop and answering 503 to the request holding envFakeUnavailable.
// Like engagehub it keeps its subscriptions (in the file envFakeState, so
// a restarted fake has them), creates a delivery topic for each on the
// broker (fakePartitions partitions) and writes the start-up probes there,
// keyed by contact id. It lets the tests run the whole bench without the
// pipeline.
const (
	envFakeChild       = "BENCH_TEST_FAKE_ENGAGEHUB"
	envFakeDrop        = "BENCH_TEST_FAKE_DROP"
	envFakeUnavailable = "BENCH_TEST_FAKE_UNAVAILABLE"
	envFakeState       = "BENCH_TEST_FAKE_STATE"
	fakePartitions     = 3
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
	ID     string `json:"id"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
	signer *webhook.Signer
}

type fakeChild struct {
	mu     sync.Mutex
	subs   map[string]fakeSub
	drop   string
	refuse string
	state  string
	prefix string // delivery topic prefix
	kc     *kafka.Client
	kw     *kafka.Writer
	out    chan func()
}

func runFakeChild() error {
	f := &fakeChild{subs: map[string]fakeSub{}, drop: os.Getenv(envFakeDrop), refuse: os.Getenv(envFakeUnavailable),
		state: os.Getenv(envFakeState), prefix: os.Getenv("ENGAGEHUB_SUBSCRIPTIONS_DELIVERY_PREFIX"), out: make(chan func(), 10000)}
	if err := f.connect(); err != nil {
		return err
	}
	defer f.kc.Close()
	defer f.kw.Close()
	if err := f.load(); err != nil {
		return err
	}
	for range 16 {
		go func() {
			for send := range f.out {
				send()
			}
		}()
	}
	return f.serve()
}

// connect makes the Kafka client the fake creates topics and writes probes with.
func (f *fakeChild) connect() error {
	kc, err := kafka.New(kafka.Config{Partitions: fakePartitions, ReplicationFactor: 1},
		strings.Split(os.Getenv("ENGAGEHUB_KAFKA_BROKERS"), ","), zap.NewNop())
	if err != nil {
		return err
	}
	f.kc, f.kw = kc, kc.NewWriter(kafka.WriterOptions{})
	return nil
}

func (f *fakeChild) serve() error {
	token := "Bearer " + os.Getenv("ENGAGEHUB_AUTH_TOKENS")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) })
	mux.HandleFunc("POST /v1/subscriptions", f.create)
	mux.HandleFunc("DELETE /v1/subscriptions/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	mux.HandleFunc("POST /v1/events", f.events)
	mux.HandleFunc("GET /debug/pprof/", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		pprof.Index(w, r)
	})
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

// load reads the subscriptions an earlier fake made.
func (f *fakeChild) load() error {
	b, err := os.ReadFile(f.state)
	if f.state == "" || os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var s fakeSub
		if err := json.Unmarshal(line, &s); err != nil {
			return err
		}
		f.add(s)
	}
	return nil
}

func (f *fakeChild) add(s fakeSub) {
	secret, _ := webhook.ParseSecret(s.Secret)
	s.signer, _ = webhook.NewSigner(secret)
	f.subs[s.ID] = s
}

func (f *fakeChild) create(w http.ResponseWriter, r *http.Request) {
	var req subscriptionRequest
	_ = json.NewDecoder(r.Body).Decode(&req)
	if err := f.kc.EnsureTopics(r.Context(), kafka.TopicSpec{Name: f.prefix + req.ID}); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	text, _ := webhook.NewSecret()
	s := fakeSub{ID: req.ID, URL: req.Destination["url"].(string), Secret: text}
	f.mu.Lock()
	f.add(s)
	err := f.persist(s)
	f.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]string{"id": req.ID, "secret": text})
}

func (f *fakeChild) persist(s fakeSub) error {
	if f.state == "" {
		return nil
	}
	line, _ := json.Marshal(s)
	file, err := os.OpenFile(f.state, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = file.Write(append(line, '\n'))
	return errors.Join(err, file.Close())
}

func (f *fakeChild) events(w http.ResponseWriter, r *http.Request) {
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	var batch []json.RawMessage
	if json.Unmarshal(body.Bytes(), &batch) != nil {
		batch = []json.RawMessage{body.Bytes()}
	}
	if f.refused(batch) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if err := f.writeProbes(r.Context(), batch); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, ev := range batch {
		kind, seq, _ := parseEventID(http.Header{}, ev)
		if kind == kindLoad && strconv.Itoa(seq) == f.drop {
			continue
		}
		for _, s := range f.subs {
			f.out <- func() { fakeDeliver(s, ev) }
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

// refused reports whether batch holds the load event to answer 503 for.
func (f *fakeChild) refused(batch []json.RawMessage) bool {
	for _, ev := range batch {
		if kind, seq, _ := parseEventID(http.Header{}, ev); kind == kindLoad && strconv.Itoa(seq) == f.refuse {
			return true
		}
	}
	return false
}

// writeProbes writes the start-up probes of batch to every delivery topic,
// keyed by contact id, as fan-out would.
func (f *fakeChild) writeProbes(ctx context.Context, batch []json.RawMessage) error {
	var msgs []kafka.Message
	f.mu.Lock()
	for _, ev := range batch {
		var env struct {
			Payload struct {
				ContactID string `json:"contactId"`
			} `json:"payload"`
		}
		if kind, _, _ := parseEventID(http.Header{}, ev); kind != kindReady || json.Unmarshal(ev, &env) != nil {
			continue
		}
		for id := range f.subs {
			msgs = append(msgs, kafka.Message{Topic: f.prefix + id, Key: []byte(env.Payload.ContactID), Value: ev})
		}
	}
	f.mu.Unlock()
	if len(msgs) == 0 {
		return nil
	}
	return f.kw.WriteMessages(ctx, msgs...)
}

// fakeClient keeps a connection per delivering goroutine.
var fakeClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}

func fakeDeliver(s fakeSub, ev []byte) {
	req, _ := http.NewRequest(http.MethodPost, s.URL, bytes.NewReader(ev))
	id, ts := "msg_fake", time.Now()
	webhook.SetHeaders(req.Header, id, ts, s.signer.Sign(id, ts, ev), false)
	if resp, err := fakeClient.Do(req); err == nil {
		_ = resp.Body.Close()
	}
}
