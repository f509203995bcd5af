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

// BenchmarkFilteredCopies compares copies/s of events encoded as ingest
// encodes them (Avro) to 1 and 10 webhook subscriptions, without a filter
// and with a typical one on every subscription. Both sides run in one
// benchmark, each on its own topics of one broker, alternating run by
// run (none first on even runs, typical first on odd ones), so that the
// machine's drift over a run weighs on both alike: the ratio metric is
// typical over none. The decoder is the real one (schema.Serde).
func BenchmarkFilteredCopies(b *testing.B) {
	for _, ev := range benchEvents {
		for _, subs := range []int{1, 10} {
			b.Run(fmt.Sprintf("event=%s/subs=%d", ev.name, subs), func(b *testing.B) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				defer cancel()
				client, n := testClient(b), 100000/subs
				sides := [2]*copyBench{
					filteredCopies(ctx, b, client, subs, n, "", ev.make),
					filteredCopies(ctx, b, client, subs, n, ev.filter, ev.make),
				}
				b.ResetTimer()
				for i := range b.N {
					sides[i%2].run(ctx, b)
					sides[1-i%2].run(ctx, b)
				}
				sides[0].report(b, "none-")
				sides[1].report(b, "typical-")
				b.ReportMetric(sides[1].rate()/sides[0].rate(), "ratio")
			})
		}
	}
}

// filteredCopies is one side of BenchmarkFilteredCopies: subs
// subscriptions with filter expr, n Avro events made by mk.
func filteredCopies(ctx context.Context, b *testing.B, client *kafka.Client, subs, n int, expr string, mk func(tb testing.TB, id, contact string) event.Event) *copyBench {
	var dec *serdeDecoder
	return newCopyBench(ctx, b, client, subs, n, func(s *subscription.Subscription, e env) Decoder {
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
	c := newCopyBench(ctx, b, testClient(b), subs, n, edit, gen)
	b.ResetTimer()
	for range b.N {
		c.run(ctx, b)
	}
	c.report(b, "")
}

// copyBench is fan-out of n records to subs subscriptions, on topics of
// its own, run again and again (a new consumer group each time); it
// counts the copies, their time and the process's CPU.
type copyBench struct {
	e          env
	store      *subscription.Store
	dec        Decoder
	n, subs    int
	runs       int
	total, cpu time.Duration
	copies     int
}

// newCopyBench makes subs subscriptions by edit (which returns the
// decoder) from webhookSub and produces the records gen makes.
func newCopyBench(ctx context.Context, b *testing.B, client *kafka.Client, subs, n int, edit func(*subscription.Subscription, env) Decoder, gen func(env) []kafka.Message) *copyBench {
	e := newEnv(b, client)
	e.ensureEventTopics(ctx, b)
	c := &copyBench{e: e, store: e.openStore(ctx, b), n: n, subs: subs}
	for i := range subs {
		s := webhookSub(fmt.Sprintf("s%03d", i), "*")
		if edit != nil {
			c.dec = edit(&s, e)
		}
		if _, _, err := c.store.Create(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	e.produceRecords(ctx, b, gen(e))
	return c
}

// run fans every record out once. The clock starts at the first batch
// write, so group join and topic creation are not counted.
func (c *copyBench) run(ctx context.Context, b *testing.B) {
	c.runs++
	c.e.group = fmt.Sprintf("%s-%d", c.e.group, c.runs)
	sink := &countingSink{Sink: c.e.client.NewBatchWriter(kafka.WriterOptions{})}
	runCtx, stop := context.WithCancel(ctx)
	f := NewKafka(c.e.client, startConfig(c.e), Deps{Sink: sink, Matcher: c.store.Matcher(), Decoder: c.dec, EventPrefix: c.e.eventPrefix, DeliveryPrefix: c.e.deliveryPrefix})
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Run(runCtx); _ = f.Close() }()
	waitFor(ctx, b, "all copies", func() bool { return sink.count() >= c.n*c.subs })
	c.cpu += processCPU() - sink.firstCPU
	c.total += time.Since(sink.first)
	c.copies += sink.count()
	stop()
	<-done
	_ = sink.Sink.(*kafka.BatchWriter).Close()
}

func (c *copyBench) rate() float64 { return float64(c.copies) / c.total.Seconds() }

// report reports copies/s and CPU per copy, their names prefixed.
func (c *copyBench) report(b *testing.B, prefix string) {
	b.ReportMetric(c.rate(), prefix+"copies/s")
	b.ReportMetric(float64(c.cpu.Nanoseconds())/float64(c.copies), prefix+"cpu-ns/copy")
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
// decoding what the typical filters read and deciding them, over batches
// of 1,000 Avro records as the fetching goroutine sees them (no broker):
// one batch again and again (warm: in the CPU's caches), or 100 in turn
// (cold: 50-70 MB, fetched from memory as fan-out's records are).
// Against BenchmarkFilteredCopies it tells the filter's own cost from
// what sharing two CPUs with the broker adds.
func BenchmarkDecideAhead(b *testing.B) {
	for _, ev := range benchEvents {
		for _, batches := range []int{1, 100} {
			b.Run(fmt.Sprintf("event=%s/batches=%d", ev.name, batches), func(b *testing.B) {
				sub := webhookSub("s000", "*")
				sub.Filter = ev.filter
				dec := &serdeDecoder{serde: newSerde(b, "engage.")}
				f := New(Config{}, Deps{Matcher: snapshotOf(sub), Decoder: dec, EventPrefix: "engage."})
				ms, types := decideBatches(b, f, dec, ev.make, batches)
				ctx := context.Background()
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					a := f.decideAhead(ctx, ms[i%batches], types[i%batches])
					if a.recs[0].verdicts[0] != pass {
						b.Fatal("the typical filter did not pass")
					}
					f.aheads.put(a) // as the writing goroutine does
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/event")
			})
		}
	}
}

// decideBatches makes n batches of 1,000 records of events mk makes.
func decideBatches(b *testing.B, f *Fanout, dec *serdeDecoder, mk func(tb testing.TB, id, contact string) event.Event, n int) ([][]kafka.Message, [][]event.Type) {
	ms, types := make([][]kafka.Message, n), make([][]event.Type, n)
	evs := make([]event.Event, 1000)
	for j := range ms {
		for i := range evs {
			evs[i] = mk(b, fmt.Sprintf("b-%d-%d", j, i), fmt.Sprintf("c%d", i%100))
		}
		ms[j] = records(b, dec.serde, evs...)
		types[j] = f.typesOf(ms[j])
	}
	return ms, types
}
