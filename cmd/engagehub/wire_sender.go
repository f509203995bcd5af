package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/subscription"
	"go.uber.org/zap"
)

// senderParts are shared by the sender role and the delivery admin routes.
type senderParts struct {
	cfg    delivery.Config
	client *http.Client
	sink   *kafka.BatchWriter
}

func (a *app) senderParts() senderParts {
	// one produce request per broker for a batch, whatever the topics: retries,
	// dead letters and moved-back retries go to many subscriptions' topics
	sink := a.kafka.NewBatchWriter(kafka.WriterOptions{})
	a.onClose(func() { _ = sink.Close() })
	return senderParts{cfg: a.cfg.Sender, client: delivery.NewHTTPClient(a.cfg.Sender), sink: sink}
}

// startSender runs one delivery worker per enabled webhook subscription,
// kept in step with the subscription store.
func (a *app) startSender(store *subscription.Store, parts senderParts) {
	log := a.log.Named("sender")
	metrics := delivery.NewMetrics(a.metrics)
	attempts := delivery.NewAttemptLog(parts.cfg.Topics.Attempts, parts.sink, 10000, metrics, log)
	sup := delivery.NewSupervisor(parts.cfg, delivery.Deps{
		Deliveries: a.kafka.NewGroupConsumer(parts.cfg.Topics.Group, consumerOptions(parts.cfg, log)),
		Tiers:      a.kafka.NewGroupConsumer(parts.cfg.TierGroup(), consumerOptions(parts.cfg, log)),
		Broker:     delivery.NewKafkaBroker(a.kafka),
		Sink:       parts.sink,
		Client:     parts.client,
		Decoder:    bodyDecoder{a.serde},
		Disabler:   storeDisabler{store},
		Lookup:     storeLookup{store: store},
		Attempts:   attempts,
		Metrics:    metrics,
		Log:        log,
		UserAgent:  "engagehub/" + version,
		Tracer:     a.tracer("sender"),
	})
	a.add("attempt-log", attempts.Run)
	a.add("sender", sup.Run)
	a.health.Add("sender", sup.Readiness)
	scripts := newTransforms(a.cfg.Transform, log)
	a.add("sender-sync", func(ctx context.Context) error { return syncEndpoints(ctx, store, sup, scripts) })
}

// consumerOptions are the sender's consumers' settings; both start a
// partition new to them where the pre-0.2 per-subscription group left it.
func consumerOptions(cfg delivery.Config, log *zap.Logger) kafka.ConsumerOptions {
	f := cfg.Fetch
	return kafka.ConsumerOptions{MaxWait: f.MaxWait, MaxBytes: f.MaxBytes, PartitionMaxBytes: f.PartitionMaxBytes,
		Fetches: f.Requests, SessionTimeout: f.SessionTimeout, Log: log.Named("consumer"),
		Fallback: delivery.LegacyGroups(cfg)}
}

// syncEndpoints hands the supervisor the current endpoints on every store
// change, and every minute so rotated-out secrets stop signing after their grace.
func syncEndpoints(ctx context.Context, store *subscription.Store, sup *delivery.Supervisor, scripts *transforms) error {
	changes, stop := store.Changes()
	defer stop()
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for {
		sup.Update(endpoints(store.List(), time.Now(), scripts))
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
		case <-tick.C:
		}
	}
}

// endpoints are the enabled webhook subscriptions, as the sender sees them.
func endpoints(subs []subscription.Subscription, now time.Time, scripts *transforms) []delivery.Endpoint {
	var out []delivery.Endpoint
	for i := range subs {
		if ep, ok := endpoint(&subs[i], now, scripts); ok && subs[i].Enabled {
			out = append(out, ep)
		}
	}
	scripts.retain(subs)
	return out
}

// endpoint translates s; its transformation comes from scripts (none
// when scripts is nil: the admin routes' test ping sends untransformed).
func endpoint(s *subscription.Subscription, now time.Time, scripts *transforms) (delivery.Endpoint, bool) {
	if s.Destination.Type != subscription.DestinationWebhook {
		return delivery.Endpoint{}, false
	}
	return delivery.Endpoint{
		ID:            s.ID,
		URL:           s.Destination.URL,
		Headers:       s.Destination.Headers,
		Timeout:       time.Duration(s.Destination.Timeout),
		Pipelining:    s.Destination.Pipelining,
		Ordering:      delivery.Ordering(s.Ordering),
		RateLimit:     s.RateLimit,
		MaxInFlight:   s.MaxInFlight,
		RetrySchedule: retrySchedule(s.RetrySchedule),
		SvixHeaders:   s.SvixHeaders,
		Secrets:       s.ActiveSecrets(now),
		SigningKeys:   s.ActiveSigningKeys(now),
		EventTypes:    s.EventTypes,
		Transform:     scripts.of(s),
		Auth:          deliveryAuth(s.DestinationAuth()),
	}, true
}

// deliveryAuth translates a destination's authentication, secrets included.
func deliveryAuth(a *subscription.Auth) *delivery.Auth {
	if a == nil {
		return nil
	}
	out := &delivery.Auth{}
	if a.Basic != nil {
		out.BasicUser, out.BasicPassword = a.Basic.Username, secret.String(a.Basic.Password)
	}
	if o := a.OAuth2; o != nil {
		out.OAuth2 = &delivery.OAuth2{TokenURL: o.TokenURL, ClientID: o.ClientID, ClientSecret: secret.String(o.ClientSecret), Scopes: o.Scopes}
	}
	if m := a.MTLS; m != nil {
		out.ClientCert, out.ClientKey = secret.String(m.Certificate), secret.String(m.PrivateKey)
	}
	return out
}

// storeLookup finds any webhook subscription's endpoint (enabled or not) for
// the delivery admin routes and the retry mover; with filter, the endpoint
// carries the subscription's current filter (for replay).
type storeLookup struct {
	store  *subscription.Store
	filter func(subscription.Subscription) delivery.RecordFilter
}

func (l storeLookup) Endpoint(id string) (delivery.Endpoint, bool) {
	s, err := l.store.Get(id)
	if err != nil {
		return delivery.Endpoint{}, false
	}
	ep, ok := endpoint(&s, time.Now(), nil)
	if ok && l.filter != nil {
		ep.Filter = l.filter(s)
	}
	return ep, ok
}

// replayFilter is s's current filter as fan-out applies it (nil: none).
func (a *app) replayFilter(s subscription.Subscription) delivery.RecordFilter {
	rf, err := fanout.NewRecordFilter(s, eventDecoder{a.serde}, a.cfg.Kafka.TopicPrefix)
	if err != nil {
		a.log.Warn("replay without the subscription's filter: it does not compile", zap.String("subscription", s.ID), zap.Error(err))
		return nil
	}
	if rf == nil {
		return nil
	}
	return rf
}

// bodyDecoder turns a delivery record into the webhook body: the event's
// original envelope JSON. A record that can never decode is marked so that
// it is dead-lettered; a registry that does not answer is retried.
type bodyDecoder struct{ serde *schema.Serde }

func (d bodyDecoder) Body(ctx context.Context, value []byte) ([]byte, error) {
	raw, err := d.serde.Raw(ctx, value)
	switch {
	case err == nil:
		return raw, nil
	case errors.Is(err, schema.ErrUndecodable), errors.Is(err, registry.ErrSchemaNotFound):
		return nil, fmt.Errorf("%w: %w", delivery.ErrUndecodable, err)
	}
	return nil, err
}

// storeDisabler lets the sender disable a subscription (410, or failing too long).
type storeDisabler struct{ store *subscription.Store }

func (d storeDisabler) DisableSubscription(ctx context.Context, id, reason string) error {
	return d.store.Disable(ctx, id, reason)
}

// retrySchedule is a subscription's retry schedule override (nil: the sender's).
func retrySchedule(ds []subscription.RetryDelay) []time.Duration {
	if len(ds) == 0 {
		return nil
	}
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Std()
	}
	return out
}
