package fanout

import (
	"errors"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// NewKafka returns the role reading event.Topics(deps.EventPrefix) as
// consumer group cfg.Group and writing through an acks=all writer, both
// made from client (deps.Source, Sink and Topics are filled in when nil).
// Close releases them once Run has returned.
func NewKafka(client *kafka.Client, cfg Config, deps Deps) *Fanout {
	var closers []func() error
	if deps.Source == nil {
		r := client.NewGroupReader(cfg.Group, event.Topics(deps.EventPrefix), kafka.ReaderOptions{QueueCapacity: 2 * cfg.BatchSize})
		deps.Source, closers = r, append(closers, r.Close)
	}
	if deps.Sink == nil {
		w := client.NewWriter(writerOptions(cfg))
		deps.Sink, closers = w, append(closers, w.Close)
	}
	if deps.Topics == nil {
		deps.Topics = client
	}
	f := New(cfg, deps)
	f.closers = closers
	return f
}

// writerOptions fit the writer to fan-out's batches. kafka-go gives every
// partition batch room for BatchSize records up front, so BatchSize is
// what one batch's copies to one partition can hold (the records of a
// batch), not more: with many destination partitions a larger one costs
// more in allocation than the copies themselves. A batch is written with
// one WriteMessages call, so a partition batch needs no lingering beyond
// its records being handed over.
func writerOptions(cfg Config) kafka.WriterOptions {
	return kafka.WriterOptions{BatchSize: cfg.BatchSize, BatchTimeout: 500 * time.Microsecond}
}

// Close releases what NewKafka made.
func (f *Fanout) Close() error {
	var errs []error
	for _, c := range f.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}
