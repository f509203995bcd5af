package main

import (
	"context"
	"errors"

	"github.com/engagehub/engagehub/pkg/admin"
	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/ingest"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/ops/attemptindex"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// catalogDeps are what the catalog needs of the service layer; every
// process serves the catalog.
func (a *app) catalogDeps() ops.Deps {
	return ops.Deps{Schemas: a.schemas, TopicPrefix: a.cfg.Kafka.TopicPrefix, Transform: a.cfg.Transform, Log: a.log.Named("ops")}
}

// startAdmin builds the operator service layer over the store, the
// delivery operations and (when ingest runs here) the ingest path, and
// mounts the admin API over it.
func (a *app) startAdmin(ctx context.Context, store *subscription.Store, parts senderParts) error {
	log := a.log.Named("admin")
	dl := delivery.NewAdmin(parts.cfg, a.kafka, parts.sink, storeLookup{store: store, filter: a.replayFilter}, parts.client,
		a.cfg.Kafka.TopicPrefix, "engagehub/"+version, log)
	d := a.catalogDeps()
	d.Store, d.DeadLetters, d.Replayer, d.Pinger = store, dl, dl, dl
	index := attemptindex.New(a.cfg.AttemptIndex, parts.cfg.Topics.Attempts, a.kafka)
	a.add("attempt-index", attemptindex.NewFollower(a.kafka, index, a.log.Named("attempt-index")).Run)
	d.Attempts = index
	if a.ingest != nil {
		d.Publisher = ingestPublisher{a.ingest}
	}
	a.ops = ops.New(d)
	a.onClose(a.ops.Close)
	a.router.Handle(admin.NewSubscriptions(a.ops, log).Routes()...)
	a.router.Handle(admin.NewTryout(a.ops).Routes()...)
	a.router.Handle(admin.NewEventTypes(a.ops).Routes()...)
	a.router.Handle(admin.NewDeliveries(a.ops, log).Routes()...)
	return a.startConsole(ctx)
}

// ingestPublisher adapts the ingest role to ops.Publisher.
type ingestPublisher struct{ in *ingest.Ingest }

func (p ingestPublisher) Publish(ctx context.Context, body []byte, source string) ([]ops.PublishedEvent, error) {
	refs, err := p.in.Publish(ctx, body, source)
	var rej *ingest.Rejection
	if errors.As(err, &rej) {
		return nil, &ops.PublishError{Status: rej.Status, Code: rej.Code, Message: rej.Message, RetryAfter: rej.RetryAfter}
	}
	out := make([]ops.PublishedEvent, len(refs))
	for i, r := range refs {
		out[i] = ops.PublishedEvent{EventID: r.EventID, EventType: r.EventType, Topic: r.Topic}
	}
	return out, err
}
