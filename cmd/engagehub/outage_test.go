package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/engagehub/engagehub/pkg/config"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// broker is a Kafka the test can stop and start again on the same data.
type broker interface {
	addr() string
	stop(t *testing.T)
	start(t *testing.T)
}

// embeddedBroker is the in-process broker, run by the test (not by the
// app, which is pointed at it as at a real cluster).
type embeddedBroker struct {
	dir, listen string
	e           *kafka.Embedded
}

func newEmbeddedBroker(t *testing.T) *embeddedBroker {
	b := &embeddedBroker{dir: t.TempDir(), listen: freeAddr(t)}
	b.start(t)
	t.Cleanup(func() {
		if b.e != nil {
			b.e.Close()
		}
	})
	return b
}

func (b *embeddedBroker) addr() string { return b.listen }

func (b *embeddedBroker) stop(*testing.T) { b.e.Close(); b.e = nil }

func (b *embeddedBroker) start(t *testing.T) {
	t.Helper()
	e, err := kafka.StartEmbedded(kafka.EmbeddedConfig{Dir: b.dir, Listen: b.listen}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	b.e = e
}

// TestEveryRoleRidesOutAKafkaOutage stops the (embedded) broker under an
// app running every role while events flow, and starts it again on the
// same data: no role returns, /readyz answers 503 naming Kafka meanwhile and
// ingest 503 with Retry-After, and once the broker is back /readyz is 200
// again and every event ingest acknowledged reaches the webhook receiver.
func TestEveryRoleRidesOutAKafkaOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("a 10 s broker outage")
	}
	rideOutOutage(t, newEmbeddedBroker(t), 10*time.Second)
}

// rideOutOutage is the outage test over b, with the broker away for outage.
func rideOutOutage(t *testing.T, b broker, outage time.Duration) {
	cfg := outageConfig(t, b.addr())
	base := "http://" + cfg.HTTP.Listen
	exited, stop := runApp(t, cfg)
	rcv := newCountingReceiver(t)
	rcv.setSecret(t, subscribe(t, base, rcv.url))

	acked := &ackLog{}
	for i := 0; i < 200; i += 20 {
		if !postBatch(base, i, 20, acked) {
			t.Fatal("ingest refused a batch before the outage")
		}
	}
	eventually(t, 30*time.Second, "deliveries before the outage", func() bool { return rcv.distinct() >= 100 })
	poster := startPoster(base, 200, acked)

	b.stop(t)
	start := time.Now()
	eventuallyUp(t, exited, 30*time.Second, "/readyz 503 naming kafka", func() bool {
		status, body := get(t, base+"/readyz")
		return status == http.StatusServiceUnavailable && strings.Contains(body, `"kafka"`)
	})
	t.Logf("/readyz 503 %s after the broker stopped", time.Since(start).Round(time.Millisecond))
	eventuallyUp(t, exited, 30*time.Second, "ingest 503 with Retry-After", func() bool { return ingestUnavailable(base) })
	asked := time.Now()
	if status, retry, body := adminCreate(t, base); status != http.StatusServiceUnavailable || retry == "" {
		t.Errorf("admin create during the outage: %d (Retry-After %q) %s, want 503 with Retry-After", status, retry, body)
	}
	t.Logf("admin create answered 503 after %s", time.Since(asked).Round(time.Millisecond))
	if status, _ := getAuth(t, base+"/v1/subscriptions"); status != http.StatusOK {
		t.Errorf("admin list during the outage: %d, want 200 (answered from memory)", status)
	}
	select {
	case <-exited:
		t.Fatal("the app returned during the outage")
	case <-time.After(outage - time.Since(start)):
	}
	_, body := get(t, base+"/readyz")
	t.Logf("after %s without Kafka: /readyz %s", time.Since(start).Round(time.Second), body)

	b.start(t)
	back := time.Now()
	eventuallyUp(t, exited, 60*time.Second, "/readyz 200 after the broker is back", func() bool {
		status, _ := get(t, base+"/readyz")
		return status == http.StatusOK
	})
	t.Logf("/readyz 200 %s after the broker started again", time.Since(back).Round(time.Millisecond))
	eventuallyUp(t, exited, 60*time.Second, "ingest accepting again", func() bool { return poster.acceptedSince(back) > 0 })
	poster.stop()

	ids := acked.ids()
	eventuallyUp(t, exited, 120*time.Second, "every acknowledged event delivered", func() bool { return rcv.hasAll(ids) })
	t.Logf("%d events acknowledged (%d refused during the outage), all delivered; %d duplicate deliveries",
		len(ids), poster.refused.Load(), rcv.duplicates())
	if n := rcv.unverified.Load(); n > 0 {
		t.Fatalf("%d deliveries failed signature verification", n)
	}
	stop()
}

// outageConfig is testConfig pointed at brokers as at an external cluster,
// with a short retry cap so the test sees the recovery soon.
func outageConfig(t *testing.T, brokers string) config.Config {
	t.Helper()
	t.Setenv("ENGAGEHUB_KAFKA_BROKERS", brokers)
	t.Setenv("ENGAGEHUB_KAFKA_REPLICATION_FACTOR", "1")
	t.Setenv("ENGAGEHUB_KAFKA_RETRY_BACKOFF_MAX", "1s")
	return testConfig(t, t.TempDir())
}

// runApp runs every role until stop; exited is closed if run returns, with
// its result in *result.
func runApp(t *testing.T, cfg config.Config) (exited <-chan struct{}, stop func()) {
	t.Helper()
	a := newApp(cfg, allRoles, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var result error
	go func() { defer close(done); result = a.run(ctx) }()
	eventuallyUp(t, done, 60*time.Second, "app ready", func() bool {
		status, _ := get(t, "http://"+cfg.HTTP.Listen+"/readyz")
		return status == http.StatusOK
	})
	var once sync.Once
	stop = func() {
		once.Do(func() {
			select {
			case <-done:
				t.Errorf("app returned before it was stopped: %v", result)
				return
			default:
			}
			cancel()
			<-done
			if result != nil {
				t.Errorf("app stopped with %v", result)
			}
		})
	}
	t.Cleanup(stop)
	return done, stop
}

// eventuallyUp is eventually, failing at once if the app exits meanwhile.
func eventuallyUp(t *testing.T, exited <-chan struct{}, d time.Duration, what string, cond func() bool) {
	t.Helper()
	eventually(t, d, what, func() bool {
		select {
		case <-exited:
			t.Fatalf("the app returned while waiting for %s", what)
		default:
		}
		return cond()
	})
}

// ingestUnavailable posts one event and reports whether ingest answered
// 503 with a Retry-After header.
func ingestUnavailable(base string) bool {
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/events",
		strings.NewReader(`{"eventType":"contact.deleted","payload":{"contactId":"probe"}}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = res.Body.Close()
	return res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != ""
}

// poster posts batches of 20 events until stopped, the way Engage keeps
// sending: refused batches are counted and not retried (their ids are
// never acknowledged).
type poster struct {
	done     chan struct{}
	wg       sync.WaitGroup
	refused  atomic.Int64
	mu       sync.Mutex
	accepted []time.Time
}

func startPoster(base string, from int, acked *ackLog) *poster {
	p := &poster{done: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for i := from; ; i += 20 {
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
			if !postBatch(base, i, 20, acked) {
				p.refused.Add(1)
				continue
			}
			p.mu.Lock()
			p.accepted = append(p.accepted, time.Now())
			p.mu.Unlock()
		}
	}()
	return p
}

func (p *poster) acceptedSince(t time.Time) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, at := range p.accepted {
		if at.After(t) {
			n++
		}
	}
	return n
}

func (p *poster) stop() { close(p.done); p.wg.Wait() }

// adminCreate creates a subscription and returns the status, Retry-After and body.
func adminCreate(t *testing.T, base string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/subscriptions", strings.NewReader(
		`{"id":"during-outage","eventTypes":["*"],"destination":{"type":"webhook","url":"http://127.0.0.1:1/hook"}}`))
	req.Header.Set("Content-Type", "application/json")
	return authorized(t, req)
}

func getAuth(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	status, _, body := authorized(t, req)
	return status, body
}

func authorized(t *testing.T, req *http.Request) (int, string, string) {
	t.Helper()
	req.Header.Set("Authorization", "Bearer "+testToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Retry-After"), string(body)
}
