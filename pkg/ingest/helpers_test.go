package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/producer"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/webhook"
)

const testSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

var (
	serdeOnce   sync.Once
	sharedSerde *schema.Serde
)

// newSerde returns a prepared Serde over an in-memory registry.
func newSerde(t testing.TB) *schema.Serde {
	t.Helper()
	serdeOnce.Do(func() {
		set, err := schema.Load()
		if err != nil {
			panic(err)
		}
		sharedSerde = schema.NewSerde(registry.InProcess{Registry: registry.New(&registry.MemoryLog{})}, set, "engage.")
		if err := sharedSerde.Prepare(context.Background()); err != nil {
			panic(err)
		}
	})
	return sharedSerde
}

// fixture is an Ingest behind its router, with a fake sink and a fixed clock.
type fixture struct {
	in      *Ingest
	sink    *kafkatest.RecordingSink
	reg     *prometheus.Registry
	handler http.Handler
	signer  *webhook.Signer
	now     time.Time
}

func newFixture(t testing.TB, mutate func(*Config)) *fixture {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Engage.Secrets = []secret.String{testSecret}
	if mutate != nil {
		mutate(&cfg)
	}
	f := &fixture{sink: &kafkatest.RecordingSink{}, reg: prometheus.NewRegistry(), now: testNow}
	return f.build(t, cfg, f.sink, Options{})
}

// build makes f's Ingest and router over sink, with opts' Journal and
// clock (default: f.now).
func (f *fixture) build(t testing.TB, cfg Config, sink producer.Sink, opts Options) *fixture {
	t.Helper()
	f.reg = prometheus.NewRegistry()
	opts.Metrics = f.reg
	if opts.Now == nil {
		opts.Now = func() time.Time { return f.now }
	}
	in, err := New(cfg, newSerde(t), sink, opts)
	if err != nil {
		t.Fatal(err)
	}
	f.in = in
	router := httpapi.NewRouter(httpapi.NewAuth([]string{"tok"}))
	router.Handle(in.Routes()...)
	f.handler = router
	sec, _ := webhook.ParseSecret(testSecret)
	f.signer, _ = webhook.NewSigner(sec)
	return f
}

// engageRequest returns a signed POST /ingest/engage.
func (f *fixture) engageRequest(msgID string, ts time.Time, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/ingest/engage", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(webhook.SvixHeaderID, msgID)
	r.Header.Set(webhook.SvixHeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	r.Header.Set(webhook.SvixHeaderSignature, f.signer.Sign(msgID, ts, body))
	return r
}

func (f *fixture) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}

func (f *fixture) counter(name string, labels ...string) float64 {
	var c prometheus.Counter
	switch name {
	case "requests":
		c = f.in.metrics.requests.WithLabelValues(labels...)
	case "unrecognized":
		c = f.in.metrics.unrecognized
	case "duplicates":
		c = f.in.metrics.duplicates
	default:
		panic(name)
	}
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}

func example(t testing.TB, typ event.Type) []byte {
	t.Helper()
	spec, ok := event.Lookup(typ)
	if !ok {
		t.Fatalf("no spec %s", typ)
	}
	return spec.Example
}

func decodeError(t testing.TB, w *httptest.ResponseRecorder) httpapi.ErrorDetail {
	t.Helper()
	var body httpapi.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q: %v", w.Body.String(), err)
	}
	return body.Error
}

func header(m kafka.Message, key string) (string, bool) {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value), true
		}
	}
	return "", false
}

// freeAddr returns a free local TCP address.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// startEmbedded starts a broker in dir at addr and a client for it.
func startEmbedded(t testing.TB, dir, addr string) (*kafka.Embedded, *kafka.Client) {
	t.Helper()
	e, err := kafka.StartEmbedded(kafka.EmbeddedConfig{Dir: dir, Listen: addr}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	c, err := kafka.New(kafka.Config{Partitions: 3, ReplicationFactor: 1}, []string{e.Addr()}, zap.NewNop())
	if err != nil {
		e.Close()
		t.Fatal(err)
	}
	return e, c
}

// ensureTopics creates every ingest topic.
func ensureTopics(t testing.TB, c *kafka.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var specs []kafka.TopicSpec
	for _, name := range event.Topics("engage.") {
		specs = append(specs, kafka.TopicSpec{Name: name})
	}
	if err := c.EnsureTopics(ctx, specs...); err != nil {
		t.Fatal(err)
	}
}

// readAll returns every record of topic.
func readAll(t testing.TB, c *kafka.Client, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ends, err := c.Ends(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, pe := range ends {
		if pe.Next <= pe.First {
			continue
		}
		r, err := c.NewPartitionReader(topic, pe.Partition, pe.First, kafka.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.Fetch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
			if m.Offset >= pe.Next-1 {
				break
			}
		}
		_ = r.Close()
	}
	return out
}
