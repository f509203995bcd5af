package fanout

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// BenchmarkCopies reports copies written (acknowledged) per second with 1,
// 10 and 100 webhook subscriptions matching every event, on the embedded
// broker (or ENGAGEHUB_TEST_KAFKA_BROKERS). The clock starts at the first
// batch write, so group join and topic creation are not counted.
func BenchmarkCopies(b *testing.B) {
	for _, subs := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) { benchCopies(b, subs) })
	}
}

func benchCopies(b *testing.B, subs int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(b, testClient(b))
	e.ensureEventTopics(ctx, b)
	store := e.openStore(ctx, b)
	for i := range subs {
		if _, _, err := store.Create(ctx, webhookSub(fmt.Sprintf("s%03d", i), "*")); err != nil {
			b.Fatal(err)
		}
	}
	nEvents := max(200000/subs, 2000)
	e.produce(ctx, b, events(nEvents, string(event.ContactUpdated), 1000, "b"))
	b.ResetTimer()
	var total, cpu time.Duration
	var copies int
	for i := range b.N {
		e.group = fmt.Sprintf("%s-%d", e.group, i)
		sink := &countingSink{Sink: e.client.NewBatchWriter(kafka.WriterOptions{})}
		runCtx, stop := context.WithCancel(ctx)
		_, done := e.start(runCtx, store.Matcher(), nil, sink)
		waitFor(ctx, b, "all copies", func() bool { return sink.count() >= nEvents*subs })
		cpu += processCPU() - sink.firstCPU
		total += time.Since(sink.first)
		copies += sink.count()
		stop()
		<-done
		_ = sink.Sink.(*kafka.BatchWriter).Close()
	}
	b.ReportMetric(float64(copies)/total.Seconds(), "copies/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(copies), "cpu-ns/copy")
}

// processCPU is the CPU time (user and system) the test process has used,
// embedded broker included: unlike copies/s it hardly depends on what
// else the machine runs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail with RUSAGE_SELF
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
