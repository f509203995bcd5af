package kafka

import (
	"context"
	"testing"
	"time"
)

// newIdlePuller is a Puller whose consumer never runs: the test plays the
// fetch loop, calling the handler methods itself.
func newIdlePuller(capacity int) *Puller {
	gc := (&Client{}).NewGroupConsumer("g", ConsumerOptions{})
	return &Puller{gc: gc, capacity: capacity, filled: make(chan struct{}, 1)}
}

func msgs(topic string, partition int, from, n int64) []Message {
	out := make([]Message, n)
	for i := range out {
		out[i] = Message{Topic: topic, Partition: partition, Offset: from + int64(i)}
	}
	return out
}

// A revoked partition's queued records are not handed out (its new owner
// reads them); the others' keep their order; a full queue stops fetching
// until a Fetch makes room, and that room wakes the fetch loop.
func TestPullerDropsRevokedRecordsAndHoldsFetchingWhileFull(t *testing.T) {
	p := newIdlePuller(4)
	a, b := TopicPartition{Topic: "t", Partition: 0}, TopicPartition{Topic: "t", Partition: 1}
	p.Records(a, msgs("t", 0, 10, 2))
	p.Records(b, msgs("t", 1, 20, 2))
	if p.Ready(a) || p.Ready(b) {
		t.Fatal("a queue of 4 with 4 records is ready for more")
	}
	p.Revoked([]TopicPartition{a})
	if !p.Ready(b) {
		t.Fatal("after the revocation the queue has room, but is not ready")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, want := range []int64{20, 21} {
		m, err := p.Fetch(ctx)
		if err != nil || m.Partition != 1 || m.Offset != want {
			t.Fatalf("fetched %v/%d @%d (%v), want partition 1 @%d", m.Topic, m.Partition, m.Offset, err, want)
		}
	}
	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if m, err := p.Fetch(short); err == nil {
		t.Fatalf("fetched %+v from an empty queue: the revoked partition's records must be gone", m)
	}
	p.Records(b, msgs("t", 1, 22, 4))
	select { // drain any earlier wake
	case <-p.gc.wake:
	default:
	}
	if _, err := p.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.gc.wake:
	default:
		t.Fatal("a Fetch that made room in a full queue did not wake the fetch loop")
	}
}
