package ingest

import (
	"context"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// History replays the Engage message ids written recently, so the dedup
// window survives a restart.
type History interface {
	// Recent calls remember for every message id written at or after since
	// (with its write time) and returns how many it found. It reads what
	// Kafka holds at the call and returns; a cancelled ctx stops it with
	// ctx's error. Kafka errors are retriable by calling again.
	Recent(ctx context.Context, since time.Time, remember func(id string, at time.Time)) (int, error)
}

// KafkaHistory reads the webhook-id header of the records on the event topics.
type KafkaHistory struct {
	client *kafka.Client
	topics []string
}

// NewKafkaHistory returns a History over topics (event.Topics).
func NewKafkaHistory(client *kafka.Client, topics []string) *KafkaHistory {
	return &KafkaHistory{client: client, topics: topics}
}

// Recent implements History. Per partition it checks the newest record,
// skips the partition when that is older than since, and otherwise seeks
// to since and reads to the end as it was at the call.
func (h *KafkaHistory) Recent(ctx context.Context, since time.Time, remember func(string, time.Time)) (int, error) {
	total := 0
	for _, topic := range h.topics {
		ends, err := h.client.Ends(ctx, topic)
		if err != nil {
			return total, fmt.Errorf("ingest: history %s: %w", topic, err)
		}
		for _, pe := range ends {
			n, err := h.partition(ctx, topic, pe, since, remember)
			total += n
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

func (h *KafkaHistory) partition(ctx context.Context, topic string, pe kafka.PartitionEnds, since time.Time, remember func(string, time.Time)) (int, error) {
	if pe.Next <= pe.First {
		return 0, nil
	}
	r, err := h.client.NewPartitionReader(topic, pe.Partition, pe.Next-1, kafka.ReaderOptions{})
	if err != nil {
		return 0, fmt.Errorf("ingest: history %s/%d: %w", topic, pe.Partition, err)
	}
	defer r.Close()
	last, err := r.Fetch(ctx)
	if err != nil {
		return 0, fmt.Errorf("ingest: history %s/%d: %w", topic, pe.Partition, err)
	}
	if last.Time.Before(since) {
		return 0, nil
	}
	if err := r.SeekTime(ctx, since); err != nil {
		return 0, fmt.Errorf("ingest: history %s/%d: %w", topic, pe.Partition, err)
	}
	return readUntil(ctx, r, pe.Next-1, since, remember)
}

// readUntil hands the webhook-id of every record up to offset last to remember.
func readUntil(ctx context.Context, r *kafka.Reader, last int64, since time.Time, remember func(string, time.Time)) (int, error) {
	n := 0
	for {
		m, err := r.Fetch(ctx)
		if err != nil {
			return n, fmt.Errorf("ingest: history %s/%d: %w", m.Topic, m.Partition, err)
		}
		if id := webhookID(m); id != "" && !m.Time.Before(since) {
			remember(id, m.Time)
			n++
		}
		if m.Offset >= last {
			return n, nil
		}
	}
}

func webhookID(m kafka.Message) string {
	for _, h := range m.Headers {
		if h.Key == event.HeaderWebhookID {
			return string(h.Value)
		}
	}
	return ""
}
