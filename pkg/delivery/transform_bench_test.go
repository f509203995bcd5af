package delivery

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/transform"
)

// benchScript is the typical transformation of the docs (reshape the
// envelope into a receiver's own JSON, add a header), as engagehub bench
// --transform-file runs it.
const benchScript = "../../docs/examples/transform/reshape.js"

// scriptTransformer adapts a transform.Script as cmd does.
type scriptTransformer struct{ s *transform.Script }

func (t *scriptTransformer) Transform(ctx context.Context, r Request) (Request, bool, error) {
	out, err := t.s.Run(ctx, transform.Webhook{EventType: r.EventType, Method: r.Method, URL: r.URL, Headers: r.Headers, Payload: r.Body})
	if err != nil || out.Cancel {
		return Request{}, out.Cancel, err
	}
	return Request{Method: out.Method, URL: out.URL, Headers: out.Headers, Body: out.Payload, EventType: r.EventType}, false, nil
}

// BenchmarkTransformedDeliveries compares, in one run, deliveries/s of
// events on a delivery topic (embedded broker) to one endpoint, signed and
// POSTed, without a transformation and with a typical one.
func BenchmarkTransformedDeliveries(b *testing.B) {
	src, err := os.ReadFile(benchScript)
	if err != nil {
		b.Fatal(err)
	}
	script, err := transform.Compile(string(src), transform.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		tr   Transformer
	}{{"transform=none", nil}, {"transform=typical", &scriptTransformer{script}}} {
		b.Run(c.name, func(b *testing.B) { benchDeliveries(b, c.tr) })
	}
}

func benchDeliveries(b *testing.B, tr Transformer) {
	c := kafkatest.Client(b)
	cfg := kafkaConfig(b)
	cfg.MaxBuffered = 4000
	n := max(b.N, 20000)
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = record(cfg.Topics.DeliverPrefix+"sub", fmt.Sprintf("c%d", i%1000), fmt.Sprintf("e%d", i))
	}
	produce(b, c, msgs)
	srv, count := countingServer(b, 204)
	sink := c.NewBatchWriter(kafka.WriterOptions{})
	deps := kafkaDeps(c, cfg, sink)
	deps.Client, deps.Decoder = loopbackClient(), rawDecoder{}
	s := NewSupervisor(cfg, deps)
	s.Update([]Endpoint{{ID: "sub", URL: srv.URL, Secrets: benchSecrets(), MaxInFlight: benchConcurrency, Transform: tr}})
	b.ResetTimer()
	start, cpu0 := time.Now(), benchCPU()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	waitCount(b, count, int64(n))
	elapsed, cpu := time.Since(start), benchCPU()-cpu0
	cancel()
	<-done
	b.StopTimer()
	b.ReportMetric(float64(n)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/delivery")
}

// benchCPU is the process's CPU time (receiver and broker included).
func benchCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
