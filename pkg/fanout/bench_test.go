package fanout

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// BenchmarkCopies reports copies written (acknowledged) per second with 1,
// 10 and 100 webhook subscriptions matching every event, on the embedded
// broker (or ENGAGEHUB_TEST_KAFKA_BROKERS). The clock starts at the first
// batch write, so group join and topic creation are not counted.
func BenchmarkCopies(b *testing.B) {
	for _, subs := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("subs=%d", subs), func(b *testing.B) {
			n := max(200000/subs, 2000)
			benchCopies(b, subs, n, nil, func(e env) []kafka.Message { return e.messages(events(n, string(event.ContactUpdated), 1000, "b")) })
		})
	}
}

// benchEvents are the events of BenchmarkFilteredCopies, each with a
// typical filter that reads the payload (so every event is decoded, once
// whatever the number of subscriptions) and holds for every event (so as
// many copies are written as without it): the issue's own example on
// point.balance.updated (one decimal field decoded), and a contact filter
// reading the attributes map (the costliest field to decode).
var benchEvents = []struct {
	name, filter string
	make         func(tb testing.TB, id, contact string) event.Event
}{
	{"balance", `type == "point.balance.updated" && payload.balance > 1000.0`,
		func(tb testing.TB, id, contact string) event.Event { return balanceEvent(tb, id, contact, 1500, "S1") }},
	{"contact", `type == "contact.updated" && payload.contactType == "Member" && has(payload.attributes.email)`, contactUpdate},
}

// BenchmarkFilteredCopies compares, in one run, copies/s of events
// encoded as ingest encodes them (Avro) to 1 and 10 webhook
// subscriptions, without a filter and with a typical one on every
// subscription. The decoder is the real one (schema.Serde).
func BenchmarkFilteredCopies(b *testing.B) {
	for _, ev := range benchEvents {
		for _, subs := range []int{1, 10} {
			for _, fl := range []struct{ name, expr string }{{"none", ""}, {"typical", ev.filter}} {
				b.Run(fmt.Sprintf("event=%s/subs=%d/filter=%s", ev.name, subs, fl.name), func(b *testing.B) {
					benchCopiesOf(b, subs, 100000/subs, fl.expr, ev.make)
				})
			}
		}
	}
}

func benchCopiesOf(b *testing.B, subs, n int, expr string, mk func(tb testing.TB, id, contact string) event.Event) {
	var dec *serdeDecoder
	benchCopies(b, subs, n, func(s *subscription.Subscription, e env) Decoder {
		s.Filter = expr
		if dec == nil {
			dec = &serdeDecoder{serde: newSerde(b, e.eventPrefix)}
		}
		return dec
	}, func(e env) []kafka.Message { return e.avroEvents(b, dec, n, mk) })
}

// benchCopies runs fan-out over the n records gen makes to subs
// subscriptions, made by edit (which returns the decoder) from webhookSub.
func benchCopies(b *testing.B, subs, n int, edit func(*subscription.Subscription, env) Decoder, gen func(env) []kafka.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	e := newEnv(b, testClient(b))
	e.ensureEventTopics(ctx, b)
	store := e.openStore(ctx, b)
	var dec Decoder
	for i := range subs {
		s := webhookSub(fmt.Sprintf("s%03d", i), "*")
		if edit != nil {
			dec = edit(&s, e)
		}
		if _, _, err := store.Create(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	e.produceRecords(ctx, b, gen(e))
	b.ResetTimer()
	var total, cpu time.Duration
	var copies int
	for i := range b.N {
		e.group = fmt.Sprintf("%s-%d", e.group, i)
		sink := &countingSink{Sink: e.client.NewBatchWriter(kafka.WriterOptions{})}
		runCtx, stop := context.WithCancel(ctx)
		f := NewKafka(e.client, startConfig(e), Deps{Sink: sink, Matcher: store.Matcher(), Decoder: dec, EventPrefix: e.eventPrefix, DeliveryPrefix: e.deliveryPrefix})
		done := make(chan struct{})
		go func() { defer close(done); _ = f.Run(runCtx); _ = f.Close() }()
		waitFor(ctx, b, "all copies", func() bool { return sink.count() >= n*subs })
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

// avroEvents are n events made by mk over 1000 contacts, Avro-encoded by
// dec's serde.
func (e env) avroEvents(tb testing.TB, dec *serdeDecoder, n int, mk func(tb testing.TB, id, contact string) event.Event) []kafka.Message {
	evs := make([]event.Event, n)
	for i := range evs {
		evs[i] = mk(tb, fmt.Sprintf("b-%d", i), fmt.Sprintf("c%d", i%1000))
	}
	return records(tb, dec.serde, evs...)
}

// processCPU is the CPU time (user and system) the test process has used,
// embedded broker included: unlike copies/s it hardly depends on what
// else the machine runs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru) // cannot fail with RUSAGE_SELF
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecideAhead is the filter work of fan-out alone, per event:
// decoding what the typical filters read and deciding them, over a batch
// of 1,000 Avro records as the fetching goroutine sees it (no broker).
// Against BenchmarkFilteredCopies it tells the filter's own cost from
// what sharing two CPUs with the broker adds.
func BenchmarkDecideAhead(b *testing.B) {
	for _, ev := range benchEvents {
		b.Run("event="+ev.name, func(b *testing.B) {
			sub := webhookSub("s000", "*")
			sub.Filter = ev.filter
			dec := &serdeDecoder{serde: newSerde(b, "engage.")}
			evs := make([]event.Event, 1000)
			for i := range evs {
				evs[i] = ev.make(b, fmt.Sprintf("b-%d", i), fmt.Sprintf("c%d", i%100))
			}
			batch := records(b, dec.serde, evs...)
			f := New(Config{}, Deps{Matcher: snapshotOf(sub), Decoder: dec, EventPrefix: "engage."})
			ctx := context.Background()
			types := f.typesOf(batch)
			b.ReportAllocs()
			for b.Loop() {
				if a := f.decideAhead(ctx, batch, types); a.recs[0].verdicts[0] != pass {
					b.Fatal("the typical filter did not pass")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(batch)), "ns/event")
		})
	}
}
