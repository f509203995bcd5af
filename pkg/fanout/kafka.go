package fanout

import (
	"errors"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// EventTopics returns the topics fan-out consumes: one per catalog type and
// the unrecognized topic, under prefix (kafka.topic_prefix).
func EventTopics(prefix string) []string {
	specs := event.Catalog()
	out := make([]string, 0, len(specs)+1)
	for _, s := range specs {
		out = append(out, event.Topic(prefix, s.Type))
	}
	return append(out, event.UnrecognizedTopic(prefix))
}

// NewKafka returns the role reading EventTopics(deps.EventPrefix) as
// consumer group cfg.Group and writing through an acks=all writer, both
// made from client (deps.Source, Sink and Topics are filled in when nil).
// Close releases them once Run has returned.
func NewKafka(client *kafka.Client, cfg Config, deps Deps) *Fanout {
	var closers []func() error
	if deps.Source == nil {
		r := client.NewGroupReader(cfg.Group, EventTopics(deps.EventPrefix), kafka.ReaderOptions{QueueCapacity: cfg.BatchSize})
		deps.Source, closers = r, append(closers, r.Close)
	}
	if deps.Sink == nil {
		w := client.NewWriter(kafka.WriterOptions{BatchSize: 10000, BatchTimeout: time.Millisecond})
		deps.Sink, closers = w, append(closers, w.Close)
	}
	if deps.Topics == nil {
		deps.Topics = client
	}
	f := New(cfg, deps)
	f.closers = closers
	return f
}

// Close releases what NewKafka made.
func (f *Fanout) Close() error {
	var errs []error
	for _, c := range f.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}
