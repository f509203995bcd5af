package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/admin"
	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/ingest"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/kafkatable"
)

// preflight checks what the selected roles need of the configuration
// beyond Validate, before anything starts: a process that cannot run its
// roles must not start the embedded broker (nor bind the listener) first.
func (a *app) preflight() error {
	if !a.has("admin") && !a.has("fanout") && !a.has("sender") {
		return nil
	}
	if a.cfg.Auth.SecretKey == "" {
		return errors.New("auth.secret_key: required by the admin, fanout and sender roles (32 bytes, base64); make run generates one")
	}
	cipher, err := subscription.NewCipher(a.cfg.Auth.SecretKey.Reveal())
	if err != nil {
		return fmt.Errorf("auth.secret_key: %w", err)
	}
	a.cipher = cipher
	a.seeds, err = a.cfg.Subscriptions.Seeds()
	return err
}

// startRoles wires the selected roles. The catalog and the OpenAPI
// document are served by every process.
func (a *app) startRoles(ctx context.Context) error {
	a.router.Handle(admin.NewOpenAPI(a.router, version).Routes()...)
	if a.has("ingest") {
		if err := a.startIngest(); err != nil {
			return err
		}
	}
	if !a.has("admin") {
		a.router.Handle(admin.NewEventTypes(ops.New(a.catalogDeps())).Routes()...)
	}
	if !a.has("admin") && !a.has("fanout") && !a.has("sender") {
		return nil
	}
	store, err := a.openSubscriptions(ctx)
	if err != nil {
		return err
	}
	if a.has("fanout") {
		a.startFanout(store)
	}
	var parts senderParts
	if a.has("admin") || a.has("sender") {
		parts = a.senderParts()
	}
	if a.has("sender") {
		a.startSender(store, parts)
	}
	if a.has("admin") {
		return a.startAdmin(ctx, store, parts)
	}
	return nil
}

func (a *app) startIngest() error {
	// concurrent requests' events go out together, one produce per broker
	// while the writes in flight are at their bound (see
	// kafka.CoalescingWriter). Callers answer 503 after ingest.write_timeout
	// whatever the writer does, so a combined write to a hung broker is
	// given up after 10 s, not the BatchWriter's 30: the requests queued
	// behind it go out sooner.
	w := a.kafka.NewCoalescingWriter(kafka.WriterOptions{WriteTimeout: 10 * time.Second})
	a.onClose(func() { _ = w.Close() })
	log := a.log.Named("ingest")
	in, err := ingest.New(a.cfg.Ingest, a.serde, w, ingest.Options{
		Metrics:   a.metrics,
		Log:       log,
		Journal:   ingest.KafkaJournal(a.kafka, a.cfg.Ingest.DedupTopic, a.cfg.Ingest.DedupWindow+time.Hour, log),
		Responses: ingest.KafkaResponses(a.kafka, a.cfg.Ingest.IdempotencyTopic, a.cfg.Ingest.IdempotencyWindow+time.Hour, log),
		Backoff:   a.kafka.Backoff(),
		Tracer:    a.tracer("ingest"),
	})
	if err != nil {
		return err
	}
	a.ingest = in
	a.router.Handle(in.Routes()...)
	a.health.Add("ingest", in.Ready)
	a.add("ingest", in.Run)
	return nil
}

// openSubscriptions opens the store over its compacted topic, follows it,
// and seeds the subscriptions named in the config file.
func (a *app) openSubscriptions(ctx context.Context) (*subscription.Store, error) {
	store, err := subscription.Open(ctx, kafkatable.Opener(a.kafka, a.cfg.Subscriptions.Topic), a.cfg.Subscriptions, a.cipher,
		subscription.Options{Log: a.log.Named("subscriptions"), ReservedTopics: []string{a.cfg.Kafka.TopicPrefix},
			Addresses: a.cfg.Sender.DialPolicy(), Transform: a.cfg.Transform})
	if err != nil {
		return nil, err
	}
	a.onClose(func() { _ = store.Close() })
	a.add("subscriptions", store.Run)
	if err := store.Seed(ctx, a.seeds); err != nil {
		return nil, err
	}
	return store, nil
}

// retiredPrefixes are the sender's per-subscription topic prefixes, as
// configured: the reconciler deletes a deleted subscription's dead letters
// along with its delivery topic. The retry tiers are shared by every
// subscription and are never retired.
func retiredPrefixes(t delivery.TopicsConfig) []string { return []string{t.DLQPrefix} }

func (a *app) startFanout(store *subscription.Store) {
	f := fanout.NewKafka(a.kafka, a.cfg.Fanout, fanout.Deps{
		Matcher:            store.Matcher(),
		Decoder:            eventDecoder{a.serde},
		EventPrefix:        a.cfg.Kafka.TopicPrefix,
		DeliveryPrefix:     a.cfg.Subscriptions.DeliveryPrefix,
		DeliveryPartitions: a.cfg.Subscriptions.DeliveryPartitions,
		DeadLetterPrefix:   a.cfg.Sender.Topics.DLQPrefix,
		Registerer:         a.metrics,
		Log:                a.log.Named("fanout"),
		Backoff:            a.kafka.Backoff(),
		Tracer:             a.tracer("fanout"),
	})
	a.onClose(func() { _ = f.Close() })
	a.add("fanout", f.Run)
	rec := fanout.NewReconciler(store, a.kafka, time.Minute, nil, a.log.Named("reconciler")).
		AlsoRetire(retiredPrefixes(a.cfg.Sender.Topics)...)
	a.add("reconciler", rec.Run)
}
