package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol/metadata"
)

// metadataCounter passes requests on and counts the Metadata ones.
type metadataCounter struct {
	next     kafkago.RoundTripper
	requests atomic.Int64
}

func (m *metadataCounter) RoundTrip(ctx context.Context, addr net.Addr, req kafkago.Request) (kafkago.Response, error) {
	if _, ok := req.(*metadata.Request); ok {
		m.requests.Add(1)
	}
	return m.next.RoundTrip(ctx, addr, req)
}

// A write to many topics the writer has not seen looks them all up in
// one Metadata request, not one each: with a thousand subscriptions' delivery
// topics one request per topic made a fan-out batch take seconds on Apache
// Kafka. A second write within the layouts' lifetime asks nothing.
func TestBatchWriterLooksUpNewTopicsInOneRequest(t *testing.T) {
	_, c := startEmbedded(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var specs []TopicSpec
	var msgs []Message
	for i := range 40 {
		name := fmt.Sprintf("layout-%02d", i)
		specs = append(specs, TopicSpec{Name: name})
		msgs = append(msgs, Message{Topic: name, Key: []byte("k"), Value: []byte("v")})
	}
	if err := c.EnsureTopics(ctx, specs...); err != nil {
		t.Fatal(err)
	}
	counter := &metadataCounter{next: c.admin.Transport}
	c.admin = &kafkago.Client{Addr: c.addr(), Transport: counter, Timeout: 10 * time.Second}
	w := c.NewBatchWriter(WriterOptions{})
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if n := counter.requests.Load(); n != 1 {
		t.Fatalf("first write to 40 topics sent %d Metadata requests, want 1", n)
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if n := counter.requests.Load(); n != 1 {
		t.Fatalf("second write sent %d more Metadata requests, want none", n-1)
	}
}

// A write that includes a topic the broker does not have fails naming it,
// and writes nothing.
func TestBatchWriterNamesTheTopicItCannotFind(t *testing.T) {
	_, c := startEmbedded(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.EnsureTopics(ctx, TopicSpec{Name: "present"}); err != nil {
		t.Fatal(err)
	}
	w := c.NewBatchWriter(WriterOptions{})
	err := w.WriteMessages(ctx, Message{Topic: "present", Value: []byte("v")}, Message{Topic: "absent", Value: []byte("v")})
	if err == nil || !strings.Contains(err.Error(), "absent") || !errors.Is(err, kafkago.UnknownTopicOrPartition) {
		t.Fatalf("err = %v, want an unknown-topic error naming absent", err)
	}
	ends, err := c.Ends(ctx, "present")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ends {
		if e.Next != 0 {
			t.Fatalf("present got records (end %d), want none: no half write", e.Next)
		}
	}
}
