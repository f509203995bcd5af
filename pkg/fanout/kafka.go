package fanout

import (
	"context"
	"errors"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// NewKafka returns the role reading event.Topics(deps.EventPrefix) as
// consumer group cfg.Group (a kafka.Puller: one membership and a few fetch
// requests for every event topic's partitions) and writing each batch's copies through an
// acks=all kafka.BatchWriter (one produce request per broker for all the
// delivery topics a batch touches, nothing held per destination
// partition), both made from client (deps.Source, Sink and Topics are
// filled in when nil). Close releases them once Run has returned.
func NewKafka(client *kafka.Client, cfg Config, deps Deps) *Fanout {
	var closers []func() error
	var background []func(context.Context) error
	if deps.Source == nil {
		p := client.NewPuller(cfg.Group, event.Topics(deps.EventPrefix), 2*cfg.BatchSize,
			kafka.ConsumerOptions{Log: deps.Log})
		deps.Source, closers, background = p, append(closers, p.Close), append(background, p.Run)
	}
	if deps.Sink == nil {
		w := client.NewBatchWriter(kafka.WriterOptions{})
		deps.Sink, closers = w, append(closers, w.Close)
	}
	if deps.Topics == nil {
		deps.Topics = client
	}
	f := New(cfg, deps)
	f.closers, f.background = closers, background
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
