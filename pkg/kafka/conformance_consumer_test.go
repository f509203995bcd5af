package kafka_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// recorder is a ConsumerHandler that keeps what it got, can pause
// partitions, and commits every record it takes.
type recorder struct {
	gc     *kafka.GroupConsumer
	mu     sync.Mutex
	got    map[string]int // value -> times
	paused map[kafka.TopicPartition]bool
	owned  map[kafka.TopicPartition]bool
	commit bool
}

func newRecorder() *recorder {
	return &recorder{got: map[string]int{}, paused: map[kafka.TopicPartition]bool{}, owned: map[kafka.TopicPartition]bool{}, commit: true}
}

func (r *recorder) Assigned(_ context.Context, parts []kafka.TopicPartition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, tp := range parts {
		r.owned[tp] = true
	}
}

func (r *recorder) Revoked(parts []kafka.TopicPartition) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, tp := range parts {
		delete(r.owned, tp)
	}
}

func (r *recorder) Ready(tp kafka.TopicPartition) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return !r.paused[tp]
}

func (r *recorder) Records(tp kafka.TopicPartition, msgs []kafka.Message) {
	r.mu.Lock()
	for _, m := range msgs {
		r.got[string(m.Value)]++
	}
	commit := r.commit
	r.mu.Unlock()
	if commit {
		_ = r.gc.Commit(map[kafka.TopicPartition]int64{tp: msgs[len(msgs)-1].Offset})
	}
}

func (r *recorder) count() (distinct, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.got {
		total += n
	}
	return len(r.got), total
}

func (r *recorder) has(v string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[v] > 0
}

func runConsumer(t *testing.T, c *kafka.Client, group string, topics []string, r *recorder) (stop func()) {
	t.Helper()
	return runConsumerWith(t, c, group, topics, r, kafka.ConsumerOptions{MaxWait: 200 * time.Millisecond, RejoinDelay: 50 * time.Millisecond,
		RejoinInterval: 200 * time.Millisecond, SessionTimeout: 6 * time.Second})
}

func runConsumerWith(t *testing.T, c *kafka.Client, group string, topics []string, r *recorder, opts kafka.ConsumerOptions) (stop func()) {
	t.Helper()
	gc := c.NewGroupConsumer(group, opts)
	r.gc = gc
	gc.SetTopics(topics)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = gc.Run(ctx, r) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			_ = gc.Close()
		})
	}
	t.Cleanup(stop)
	return stop
}

func makeTopics(t *testing.T, c *kafka.Client, n, partitions int) []string {
	t.Helper()
	specs := make([]kafka.TopicSpec, n)
	names := make([]string, n)
	for i := range specs {
		names[i] = kafkatest.Topic(t, "gc"+strconv.Itoa(i))
		specs[i] = kafka.TopicSpec{Name: names[i], Partitions: partitions}
	}
	if err := c.EnsureTopics(ctxFor(t, time.Minute), specs...); err != nil {
		t.Fatal(err)
	}
	return names
}

func produce(t *testing.T, c *kafka.Client, topics []string, perTopic int, tag string) []string {
	t.Helper()
	w := c.NewWriter(kafka.WriterOptions{})
	defer func() { _ = w.Close() }()
	var values []string
	var msgs []kafka.Message
	for _, topic := range topics {
		for i := range perTopic {
			v := fmt.Sprintf("%s/%s/%d", tag, topic, i)
			values = append(values, v)
			msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte(strconv.Itoa(i)), Value: []byte(v)})
		}
	}
	if err := w.WriteMessages(ctxFor(t, time.Minute), msgs...); err != nil {
		t.Fatal(err)
	}
	return values
}

func TestConformanceGroupConsumerReadsManyTopicsAndResumesAfterCommit(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 40, 2)
	group := kafkatest.Topic(t, "group")
	values := produce(t, c, topics, 5, "a")

	r := newRecorder()
	stop := runConsumer(t, c, group, topics, r)
	eventually(t, 60*time.Second, "every record of 40 topics consumed", func() bool { d, _ := r.count(); return d == len(values) })
	stop()

	later := produce(t, c, topics[:3], 2, "b")
	r2 := newRecorder()
	runConsumer(t, c, group, topics, r2)
	eventually(t, 60*time.Second, "the records written after the commit", func() bool { d, _ := r2.count(); return d >= len(later) })
	for _, v := range values {
		if r2.has(v) {
			t.Fatalf("%s was committed but consumed again", v)
		}
	}
}

func TestConformanceGroupConsumerFetchesNothingOfAPausedPartition(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 2, 1)
	r := newRecorder()
	r.paused[kafka.TopicPartition{Topic: topics[0], Partition: 0}] = true
	runConsumer(t, c, kafkatest.Topic(t, "group"), topics, r)
	produce(t, c, topics, 3, "p")
	eventually(t, 60*time.Second, "the unpaused topic consumed", func() bool { d, _ := r.count(); return d == 3 })
	if r.has("p/" + topics[0] + "/0") {
		t.Fatal("a paused partition was fetched")
	}
	r.mu.Lock()
	r.paused = map[kafka.TopicPartition]bool{}
	r.mu.Unlock()
	r.gc.Wake()
	eventually(t, 30*time.Second, "the paused partition consumed after resume", func() bool { d, _ := r.count(); return d == 6 })
}

func TestConformanceGroupConsumerAddsTopicsAndSharesPartitionsWithoutLoss(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 12, 2)
	group := kafkatest.Topic(t, "group")
	a, b := newRecorder(), newRecorder()
	stopA := runConsumer(t, c, group, topics[:6], a)
	runConsumer(t, c, group, topics[:6], b)
	first := produce(t, c, topics[:6], 10, "x")
	eventually(t, 60*time.Second, "two members consume the first topics", func() bool {
		da, _ := a.count()
		db, _ := b.count()
		return da+db >= len(first)
	})
	a.gc.SetTopics(topics)
	b.gc.SetTopics(topics)
	stopA() // the other member takes over A's partitions
	second := produce(t, c, topics, 10, "y")
	eventually(t, 90*time.Second, "every record of the added topics after a member left", func() bool {
		for _, v := range second {
			if !a.has(v) && !b.has(v) {
				return false
			}
		}
		return true
	})
	for _, v := range first {
		if !a.has(v) && !b.has(v) {
			t.Fatalf("%s lost", v)
		}
	}
}

// A topic change right after a rejoin waits out RejoinInterval: a burst
// of new subscriptions costs a rejoin per interval, not one per change.
func TestConformanceGroupConsumerSpacesRejoinsByTheInterval(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 2, 1)
	r := newRecorder()
	const interval = 2 * time.Second
	start := time.Now()
	runConsumerWith(t, c, kafkatest.Topic(t, "group"), topics[:1], r, kafka.ConsumerOptions{MaxWait: 200 * time.Millisecond,
		RejoinDelay: 50 * time.Millisecond, RejoinInterval: interval, SessionTimeout: 6 * time.Second})
	owns := func(topic string) func() bool {
		return func() bool { r.mu.Lock(); defer r.mu.Unlock(); return r.owned[kafka.TopicPartition{Topic: topic}] }
	}
	eventually(t, 30*time.Second, "the first topic assigned", owns(topics[0]))
	r.gc.SetTopics(topics)
	eventually(t, 30*time.Second, "the second topic assigned", owns(topics[1]))
	if took := time.Since(start); took < interval {
		t.Fatalf("the second rejoin came %v after the first topics were set, within the %v interval", took, interval)
	}
}

// A generation is adopted when it comes, even while a topic change waits
// out the rejoin interval: the same topics set again and again (as the
// sender's reconciler does after every subscription change) must not hold
// the partitions of the join already made back for the whole interval.
func TestConformanceGroupConsumerAdoptsAGenerationWhileAChangeWaits(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 1, 1)
	r := newRecorder()
	runConsumerWith(t, c, kafkatest.Topic(t, "group"), topics, r, kafka.ConsumerOptions{MaxWait: 200 * time.Millisecond,
		RejoinDelay: 50 * time.Millisecond, RejoinInterval: 10 * time.Minute, SessionTimeout: 6 * time.Second})
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
				r.gc.SetTopics(topics)
			}
		}
	}()
	eventually(t, 30*time.Second, "the topic assigned while changes wait for the 10-minute interval", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.owned[kafka.TopicPartition{Topic: topics[0]}]
	})
}

// One BatchWriter call spanning many topics and partitions lands every
// record where Writer would (murmur2), in order per partition.
func TestConformanceBatchWriterSpansManyTopicsInOneCall(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 30, 3)
	var msgs []kafka.Message
	for round := range 3 {
		for _, topic := range topics {
			for k := range 5 {
				msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte("key" + strconv.Itoa(k)), Value: []byte(fmt.Sprintf("%d/%d", k, round))})
			}
		}
	}
	w := c.NewBatchWriter(kafka.WriterOptions{})
	if err := w.WriteMessages(ctxFor(t, time.Minute), msgs...); err != nil {
		t.Fatal(err)
	}
	for _, topic := range topics[:2] {
		checkRounds(t, c, topic, 3)
	}
	ref := c.NewWriter(kafka.WriterOptions{})
	defer ref.Close()
	// same partitions as Writer
	check := kafkatest.Topic(t, "same")
	if err := c.EnsureTopics(ctxFor(t, time.Minute), kafka.TopicSpec{Name: check, Partitions: 3}); err != nil {
		t.Fatal(err)
	}
	for k := range 5 {
		m := kafka.Message{Topic: check, Key: []byte("key" + strconv.Itoa(k)), Value: []byte("b")}
		_ = w.WriteMessages(ctxFor(t, time.Minute), m)
		m.Value = []byte("w")
		_ = ref.WriteMessages(ctxFor(t, time.Minute), m)
	}
	part := map[string]map[string]int{}
	for _, m := range readAll(ctxFor(t, time.Minute), t, c, check) {
		if part[string(m.Key)] == nil {
			part[string(m.Key)] = map[string]int{}
		}
		part[string(m.Key)][string(m.Value)] = m.Partition
	}
	for key, p := range part {
		if p["b"] != p["w"] {
			t.Fatalf("key %s: BatchWriter partition %d, Writer %d", key, p["b"], p["w"])
		}
	}
}

// checkRounds checks that topic holds rounds records of each of its five
// keys, in the order written.
func checkRounds(t *testing.T, c *kafka.Client, topic string, rounds int) {
	t.Helper()
	got := readAll(ctxFor(t, time.Minute), t, c, topic)
	if len(got) != 5*rounds {
		t.Fatalf("%s holds %d records, want %d", topic, len(got), 5*rounds)
	}
	next := map[string]int{}
	for _, m := range got {
		if want := fmt.Sprintf("%s/%d", strings.TrimPrefix(string(m.Key), "key"), next[string(m.Key)]); string(m.Value) != want {
			t.Fatalf("%s: %s, want %s (order within a partition)", topic, m.Value, want)
		}
		next[string(m.Key)]++
	}
}

// A call whose partitions' batches exceed RequestBytes goes out in several
// requests, each partition's records still complete and in order: a
// thousand subscriptions' copies in one request grew to tens of megabytes,
// which Apache Kafka did not append within the request timeout.
func TestConformanceBatchWriterSplitsACallIntoRequestsOfBoundedSize(t *testing.T) {
	c := kafkatest.Client(t)
	topics := makeTopics(t, c, 20, 2)
	var msgs []kafka.Message
	for round := range 4 {
		for _, topic := range topics {
			for k := range 5 {
				msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte("key" + strconv.Itoa(k)),
					Value: []byte(fmt.Sprintf("%d/%d", k, round)), Headers: []kafka.Header{{Key: "pad", Value: make([]byte, 200)}}})
			}
		}
	}
	// ~280 bytes a record, 400 records: a 2 KiB cap makes about fifty requests
	w := c.NewBatchWriter(kafka.WriterOptions{RequestBytes: 2 << 10, BatchBytes: 1 << 10})
	if err := w.WriteMessages(ctxFor(t, time.Minute), msgs...); err != nil {
		t.Fatal(err)
	}
	for _, topic := range topics {
		checkRounds(t, c, topic, 4)
	}
}
