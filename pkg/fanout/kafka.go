package fanout

import (
	"errors"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// NewKafka returns the role reading event.Topics(deps.EventPrefix) as
// consumer group cfg.Group and writing each batch's copies through an
// acks=all kafka.BatchWriter (one produce request per broker for all the
// delivery topics a batch touches, nothing held per destination
// partition), both made from client (deps.Source, Sink and Topics are
// filled in when nil). Close releases them once Run has returned.
func NewKafka(client *kafka.Client, cfg Config, deps Deps) *Fanout {
	var closers []func() error
	if deps.Source == nil {
		r := client.NewGroupReader(cfg.Group, event.Topics(deps.EventPrefix), kafka.ReaderOptions{QueueCapacity: 2 * cfg.BatchSize})
		deps.Source, closers = r, append(closers, r.Close)
	}
	if deps.Sink == nil {
		w := client.NewBatchWriter(kafka.WriterOptions{})
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
