package delivery

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

const benchConcurrency = 64

// countingServer answers 204 and signals once n requests arrived.
func countingServer(b *testing.B, status int) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
		w.WriteHeader(status)
	}))
	b.Cleanup(srv.Close)
	return srv, &n
}

func waitCount(b *testing.B, n *atomic.Int64, want int64) {
	deadline := time.Now().Add(2 * time.Minute)
	for n.Load() < want {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d arrived", n.Load(), want)
		}
		time.Sleep(time.Millisecond)
	}
}

// BenchmarkDeliveryVsBareClient: events already on a delivery topic (embedded
// broker) → signed POST → 2xx, against a bare net/http client POSTing the
// same body to the same receiver at the same concurrency. Reports both rates
// and their ratio.
func BenchmarkDeliveryVsBareClient(b *testing.B) {
	c := kafkatest.Client(b)
	cfg := kafkaConfig(b)
	cfg.MaxBuffered = 4000
	n := max(b.N, 2000)
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = record(cfg.Topics.DeliverPrefix+"sub", fmt.Sprintf("c%d", i%1000), fmt.Sprintf("e%d", i))
	}
	produce(b, c, msgs)
	srv, count := countingServer(b, 204)
	sink := c.NewWriter(kafka.WriterOptions{})
	b.Cleanup(func() { _ = sink.Close() })
	deps := kafkaDeps(c, cfg, sink)
	deps.Client, deps.Decoder = loopbackClient(), rawDecoder{}
	s := NewSupervisor(cfg, deps)
	s.Update([]Endpoint{{ID: "sub", URL: srv.URL, Secrets: benchSecrets(), MaxInFlight: benchConcurrency}})
	b.ResetTimer()
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	waitCount(b, count, int64(n))
	engine := time.Since(start)
	cancel()
	<-done
	count.Store(0)
	start = time.Now()
	bareClient(srv.URL, msgs)
	bare := time.Since(start)
	b.StopTimer()
	er, br := float64(n)/engine.Seconds(), float64(n)/bare.Seconds()
	b.ReportMetric(er, "deliveries/s")
	b.ReportMetric(br, "bare/s")
	b.ReportMetric(er/br, "ratio")
}

func benchSecrets() []webhook.Secret { return []webhook.Secret{testSecret} }

// bareClient POSTs every body with benchConcurrency goroutines.
func bareClient(url string, msgs []kafka.Message) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchConcurrency, MaxConnsPerHost: benchConcurrency}}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range benchConcurrency {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(msgs)); i = next.Add(1) - 1 {
				resp, err := client.Post(url, "application/json", bytes.NewReader(msgs[i].Value))
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkDeadEndpointAmongTen: nine healthy subscriptions deliver n events
// each, with a tenth subscription whose endpoint answers 503 to everything,
// and without it. Reports the nine's rate in both runs and the ratio.
func BenchmarkDeadEndpointAmongTen(b *testing.B) {
	n := max(b.N, 2000)
	healthy := run10(b, n, false)
	withDead := run10(b, n, true)
	b.ReportMetric(healthy, "nine/s")
	b.ReportMetric(withDead, "nine-with-dead/s")
	b.ReportMetric(withDead/healthy, "ratio")
}

func run10(b *testing.B, n int, dead bool) float64 {
	srv, count := countingServer(b, 204)
	deadSrv, _ := countingServer(b, 503)
	broker := newMemBroker()
	cfg := DefaultConfig()
	cfg.RetrySchedule = []time.Duration{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond}
	cfg.ShutdownTimeout = time.Second // the dead endpoint's in-memory retries would hold the drain for 15s
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps := memDeps(broker)
	sup := NewSupervisor(cfg, deps)
	var eps []Endpoint
	for s := range 10 {
		id := fmt.Sprintf("s%d", s)
		url := srv.URL
		if s == 9 {
			if !dead {
				continue
			}
			url = deadSrv.URL
		}
		msgs := make([]kafka.Message, n)
		for i := range msgs {
			msgs[i] = record("engagehub.deliver."+id, fmt.Sprintf("c%d", i%500), fmt.Sprintf("e%d", i))
		}
		_ = broker.WriteMessages(ctx, msgs...)
		eps = append(eps, Endpoint{ID: id, URL: url, Secrets: benchSecrets(), MaxInFlight: 16})
	}
	sup.Update(eps)
	done := make(chan struct{})
	start := time.Now()
	go func() { _ = sup.Run(ctx); close(done) }()
	waitCount(b, count, int64(9*n))
	rate := float64(9*n) / time.Since(start).Seconds()
	cancel()
	<-done
	return rate
}

// BenchmarkSenderSend: one signed POST to a local receiver answering 204,
// benchConcurrency at a time, over the fast transport through net/http's
// request and response types (the path OAuth2 endpoints take) and through
// its own (every other endpoint's). CPU and allocations per op are the
// sender's and the receiver's together.
func BenchmarkSenderSend(b *testing.B) {
	srv, _ := countingServer(b, http.StatusNoContent)
	ep := Endpoint{ID: "sub", URL: srv.URL + "/hook", Secrets: benchSecrets(), Timeout: 5 * time.Second,
		Headers: map[string]string{"X-Store": "42"}}
	body := bytes.Repeat([]byte("x"), 512)
	for _, path := range []string{"net/http types", "fast"} {
		b.Run(path, func(b *testing.B) {
			s, err := NewSender(loopbackClient(), ep, "engagehub/bench", nil)
			if err != nil {
				b.Fatal(err)
			}
			if path != "fast" {
				s.fast = nil
			}
			b.SetParallelism(max(1, benchConcurrency/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if res := s.Send(context.Background(), "msg_1", body); res.Status != http.StatusNoContent {
						b.Errorf("status %d, err %v", res.Status, res.Err)
					}
				}
			})
		})
	}
}
