package kafka_test

// The conformance suite: what engagehub relies on from Kafka, asserted
// against whichever broker kafkatest provides — the embedded one under
// `make test`, real Apache Kafka under `make test-integration`
// (ENGAGEHUB_TEST_KAFKA_BROKERS). Every topic and group name is unique per
// test and run, so the suite can share a broker with other packages.

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

func ctxFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// eventually polls cond every 20ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		<-tick.C
	}
}

func TestConformanceEnsureTopicsCreatesAndTreatsExistingAsSuccess(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 60*time.Second)
	plain, compacted := kafkatest.Topic(t, "plain"), kafkatest.Topic(t, "compacted")
	specs := []kafka.TopicSpec{{Name: plain}, {Name: compacted, Compacted: true, Partitions: 1}}

	// Two concurrent creators race; both must see success.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range 2 {
		wg.Go(func() { errs[i] = c.EnsureTopics(ctx, specs...) })
	}
	wg.Wait()
	errs[2] = c.EnsureTopics(ctx, specs...) // and once more, long after
	for i, err := range errs {
		if err != nil {
			t.Fatalf("EnsureTopics call %d: %v", i, err)
		}
	}
	for topic, want := range map[string]int{plain: 3, compacted: 1} {
		ends, err := c.Ends(ctx, topic)
		if err != nil || len(ends) != want {
			t.Fatalf("%s: ends = %v, %v; want %d partitions", topic, ends, err, want)
		}
	}
	// Leaders are known: a write to every partition right away succeeds
	// without LeaderNotAvailable surfacing.
	w := c.NewWriter(kafka.WriterOptions{MaxAttempts: 1})
	defer w.Close()
	msgs := []kafka.Message{{Topic: compacted, Key: []byte("k"), Value: []byte("v")}}
	for _, key := range []string{"21", "4", "contact-1"} { // partitions 0, 1, 2
		msgs = append(msgs, kafka.Message{Topic: plain, Key: []byte(key), Value: []byte("v")})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("first write after EnsureTopics: %v", err)
	}
}

// javaPartitions are the partitions (of 3) Apache Kafka's Java client picks
// for these keys: Utils.toPositive(Utils.murmur2(key)) % 3, computed with
// kafka-clients 4.4.0 (murmur2("21") = -973932308, ("foobar") = -790332482).
var javaPartitions = map[string]int{
	"21": 0, "foobar": 0, "contact-3": 0, "hello": 0, "5": 0,
	"4": 1, "6": 1,
	"contact-1": 2, "contact-2": 2, "engagehub": 2, "2": 2,
}

// writers are the two ways engagehub produces: kafka-go's batching Writer
// (ingest) and the BatchWriter (fan-out and the sender, many topics).
func writers(c *kafka.Client, opts kafka.WriterOptions) map[string]interface {
	WriteMessages(context.Context, ...kafka.Message) error
	Close() error
} {
	return map[string]interface {
		WriteMessages(context.Context, ...kafka.Message) error
		Close() error
	}{"Writer": c.NewWriter(opts), "BatchWriter": c.NewBatchWriter(opts), "CoalescingWriter": c.NewCoalescingWriter(opts)}
}

func TestConformanceWriteThenReadBackKeysValuesHeadersOrderAndPartitions(t *testing.T) {
	c := kafkatest.Client(t)
	for name, w := range writers(c, kafka.WriterOptions{}) {
		t.Run(name, func(t *testing.T) { testReadBack(t, c, w) })
	}
}

func testReadBack(t *testing.T, c *kafka.Client, w interface {
	WriteMessages(context.Context, ...kafka.Message) error
	Close() error
}) {
	ctx := ctxFor(t, 60*time.Second)
	topic := kafkatest.Topic(t, "readback")
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: topic}); err != nil {
		t.Fatal(err)
	}
	var sent []kafka.Message
	for round := range 4 {
		for key := range javaPartitions {
			sent = append(sent, kafka.Message{
				Topic: topic, Key: []byte(key),
				Value:   []byte(fmt.Sprintf("%s/%d", key, round)),
				Headers: []kafka.Header{{Key: "event-id", Value: []byte(fmt.Sprintf("%s-%d", key, round))}, {Key: "bin", Value: []byte{0, 1, 0xff}}},
			})
		}
	}
	defer w.Close()
	for i := 0; i < len(sent); i += 7 { // several batches
		if err := w.WriteMessages(ctx, sent[i:min(i+7, len(sent))]...); err != nil {
			t.Fatalf("acks=all write: %v", err)
		}
	}
	got := readAll(ctx, t, c, topic)
	if len(got) != len(sent) {
		t.Fatalf("read %d records, want %d", len(got), len(sent))
	}
	next := map[string]int{} // next round expected per key: order within a partition
	for _, m := range got {
		key := string(m.Key)
		if want := javaPartitions[key]; m.Partition != want {
			t.Errorf("key %q on partition %d, Java's murmur2 partitioner says %d", key, m.Partition, want)
		}
		if want := fmt.Sprintf("%s/%d", key, next[key]); string(m.Value) != want {
			t.Errorf("key %q: value %q, want %q (order within partition)", key, m.Value, want)
		}
		if len(m.Headers) != 2 || string(m.Headers[0].Value) != fmt.Sprintf("%s-%d", key, next[key]) ||
			m.Headers[1].Key != "bin" || !bytes.Equal(m.Headers[1].Value, []byte{0, 1, 0xff}) {
			t.Errorf("key %q: headers %v, want event-id and bin", key, m.Headers)
		}
		next[key]++
	}
}

// readAll reads every partition of topic from the first offset to the end.
func readAll(ctx context.Context, t *testing.T, c *kafka.Client, topic string) []kafka.Message {
	t.Helper()
	ends, err := c.Ends(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	var out []kafka.Message
	for _, pe := range ends {
		if pe.Next == pe.First {
			continue
		}
		r, err := c.NewPartitionReader(topic, pe.Partition, kafka.First, kafka.ReaderOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			m, err := r.Fetch(ctx)
			if err != nil {
				t.Fatalf("read %s/%d: %v", topic, pe.Partition, err)
			}
			out = append(out, m)
			if m.Offset+1 >= pe.Next {
				break
			}
		}
		_ = r.Close()
	}
	return out
}

func writeRange(ctx context.Context, t *testing.T, c *kafka.Client, topic string, from, to int) {
	t.Helper()
	w := c.NewWriter(kafka.WriterOptions{})
	defer w.Close()
	var msgs []kafka.Message
	for i := from; i < to; i++ {
		msgs = append(msgs, kafka.Message{Topic: topic, Key: []byte("k" + strconv.Itoa(i%10)), Value: []byte(strconv.Itoa(i))})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("write %d..%d: %v", from, to, err)
	}
}

func TestConformanceGroupResumesAfterCommittedOffset(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 60*time.Second)
	topic, group := kafkatest.Topic(t, "resume"), kafkatest.Topic(t, "group")
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: topic, Partitions: 1}); err != nil {
		t.Fatal(err)
	}
	writeRange(ctx, t, c, topic, 0, 10)

	first := c.NewGroupReader(group, []string{topic}, kafka.ReaderOptions{})
	var fifth kafka.Message
	for i := range 5 {
		m, err := first.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Value) != strconv.Itoa(i) {
			t.Fatalf("fetch %d: value %q", i, m.Value)
		}
		fifth = m
	}
	if err := first.Commit(ctx, fifth); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Fetch(ctx); err != nil { // fetched, never committed
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	offs, err := c.GroupOffsets(ctx, group, topic)
	if err != nil || offs[0] != 5 {
		t.Fatalf("committed offsets = %v, %v; want partition 0 at 5", offs, err)
	}

	second := c.NewGroupReader(group, []string{topic}, kafka.ReaderOptions{})
	defer second.Close()
	for i := 5; i < 10; i++ {
		m, err := second.Fetch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Value) != strconv.Itoa(i) {
			t.Fatalf("second reader got %q, want %d: it must start after the committed offset", m.Value, i)
		}
	}
}

// tally counts, by record id, what group members committed and what they
// fetched and deliberately left uncommitted.
type tally struct {
	mu        sync.Mutex
	committed map[string]int
	held      map[string]int
	byMember  map[string]int // commits per member
}

func (ty *tally) add(to map[string]int, id string) {
	ty.mu.Lock()
	to[id]++
	ty.mu.Unlock()
}

func (ty *tally) commits(member string) int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return ty.byMember[member]
}

// missing returns the ids in [from, to) nobody has committed.
func (ty *tally) missing(from, to int) []int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	var out []int
	for i := from; i < to; i++ {
		if ty.committed[strconv.Itoa(i)] == 0 {
			out = append(out, i)
		}
	}
	return out
}

func (ty *tally) heldCount() int {
	ty.mu.Lock()
	defer ty.mu.Unlock()
	return len(ty.held)
}

// member is one group reader that commits each record after counting it,
// until stopCommitting is closed; then it only holds what it fetches.
type member struct {
	r              *kafka.Reader
	stopCommitting chan struct{}
	done           chan struct{}
}

func startMember(ctx context.Context, c *kafka.Client, group, topic, name string, ty *tally) *member {
	m := &member{
		r:              c.NewGroupReader(group, []string{topic}, kafka.ReaderOptions{SessionTimeout: 6 * time.Second}),
		stopCommitting: make(chan struct{}),
		done:           make(chan struct{}),
	}
	go func() {
		defer close(m.done)
		for {
			msg, err := m.r.Fetch(ctx)
			if err != nil {
				return
			}
			select {
			case <-m.stopCommitting:
				ty.add(ty.held, string(msg.Value))
				continue
			default:
			}
			if m.r.Commit(ctx, msg) == nil { // a failed commit is redelivered later
				ty.add(ty.committed, string(msg.Value))
				ty.add(ty.byMember, name)
			}
		}
	}()
	return m
}

func (m *member) close() {
	_ = m.r.Close()
	<-m.done
}

// produceUntil runs step every 200ms (records trickling in mid-stream)
// until it reports done or d passes.
func produceUntil(t *testing.T, d time.Duration, what string, step func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !step() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		<-tick.C
	}
}

func TestConformanceGroupRebalanceLosesNoRecord(t *testing.T) {
	c := kafkatest.Client(t)
	ctx := ctxFor(t, 3*time.Minute)
	topic, group := kafkatest.Topic(t, "rebalance"), kafkatest.Topic(t, "group")
	if err := c.EnsureTopics(ctx, kafka.TopicSpec{Name: topic}); err != nil {
		t.Fatal(err)
	}
	ty := &tally{committed: map[string]int{}, held: map[string]int{}, byMember: map[string]int{}}
	written := 0
	// produce writes the next n records and waits until every record so far
	// is committed, or fetched and held by a member that stopped committing.
	produce := func(n int) {
		writeRange(ctx, t, c, topic, written, written+n)
		written += n
		eventually(t, 60*time.Second, "records neither committed nor held", func() bool {
			return len(ty.missing(0, written)) <= ty.heldCount()
		})
	}

	a := startMember(ctx, c, group, topic, "a", ty)
	produce(100)
	b := startMember(ctx, c, group, topic, "b", ty) // joins mid-stream: eager rebalance
	defer b.close()
	produceUntil(t, 60*time.Second, "member b was never assigned a partition", func() bool {
		produce(20)
		return ty.commits("b") > 0
	})
	close(a.stopCommitting) // a keeps fetching but commits nothing more
	produceUntil(t, 60*time.Second, "member a kept no partition after b joined", func() bool {
		produce(10)
		return ty.heldCount() > 0
	})
	a.close() // leaves the group with fetched, uncommitted records
	produce(100)
	eventually(t, 60*time.Second, "b did not commit every record, including those a held uncommitted", func() bool {
		return len(ty.missing(0, written)) == 0
	})
	ty.mu.Lock()
	defer ty.mu.Unlock()
	dups := 0
	for _, n := range ty.committed {
		dups += n - 1
	}
	t.Logf("%d ids committed (%d more than once; a %d, b %d commits), %d held by a and redelivered to b",
		len(ty.committed), dups, ty.byMember["a"], ty.byMember["b"], len(ty.held))
}
