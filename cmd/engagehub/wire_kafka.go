package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// schemasTopic holds the built-in registry's records.
const schemasTopic = "engagehub.schemas"

// startKafka starts the embedded broker when no brokers are configured and
// connects to Kafka, waiting until it answers.
func (a *app) startKafka(ctx context.Context) error {
	brokers := a.cfg.Kafka.Brokers
	if a.cfg.Kafka.IsEmbedded() {
		b, err := kafka.StartEmbedded(a.cfg.Kafka.Embedded, a.log.Named("kafka"))
		if err != nil {
			return err
		}
		a.broker = b
		a.onClose(b.Close)
		brokers = []string{b.Addr()}
	}
	client, err := kafka.New(a.cfg.Kafka, brokers, a.log.Named("kafka"))
	if err != nil {
		return err
	}
	a.kafka = client
	a.onClose(client.Close)
	a.metrics.MustRegister(newFetchCollector(client))
	if err := waitFor(ctx, client.Ping); err != nil {
		return fmt.Errorf("kafka at %v does not answer: %w", brokers, err)
	}
	a.health.Add("kafka", client.Ping)
	return nil
}

// startSchemas sets up the registry (built-in or external), creates the
// event topics and registers every schema under <topic>-value.
func (a *app) startSchemas(ctx context.Context) error {
	set, err := schema.Load()
	if err != nil {
		return err
	}
	a.schemas = set
	reg, err := a.schemaRegistry(ctx)
	if err != nil {
		return err
	}
	if err := a.kafka.EnsureTopics(ctx, eventTopics(a.cfg.Kafka.TopicPrefix)...); err != nil {
		return err
	}
	a.serde = schema.NewSerde(reg, set, a.cfg.Kafka.TopicPrefix)
	if err := a.serde.Prepare(ctx); err != nil {
		return err
	}
	return nil
}

// eventTopics are the 11 engage.<type> topics and engage._unrecognized.
func eventTopics(prefix string) []kafka.TopicSpec {
	var specs []kafka.TopicSpec
	for _, name := range event.Topics(prefix) {
		specs = append(specs, kafka.TopicSpec{Name: name})
	}
	return specs
}

func (a *app) schemaRegistry(ctx context.Context) (schema.Registry, error) {
	if url := a.cfg.SchemaRegistry.URL; url != "" {
		var opts []registry.ClientOption
		if a.cfg.SchemaRegistry.Username != "" {
			opts = append(opts, registry.WithBasicAuth(a.cfg.SchemaRegistry.Username, a.cfg.SchemaRegistry.Password.Reveal()))
		}
		return registry.NewClient(url, opts...)
	}
	log := &tableLog{}
	reg := registry.New(log)
	rlog := a.log.Named("registry")
	table, err := a.kafka.OpenTable(ctx, schemasTopic, func(m kafka.Message) {
		if err := reg.Apply(m.Key, m.Value); err != nil && !errors.Is(err, registry.ErrConflict) {
			rlog.Warn("skip registry record", zap.String("key", string(m.Key)), zap.Error(err))
		}
	})
	if err != nil {
		return nil, err
	}
	log.table = table
	a.onClose(func() { _ = table.Close() })
	a.add("registry-follower", table.Run)
	a.router.Handle(registryRoute(reg, a.router))
	return registry.InProcess{Registry: reg}, nil
}

// tableLog is the built-in registry's Log: a compacted Kafka topic.
type tableLog struct{ table *kafka.Table }

func (l *tableLog) Append(ctx context.Context, key, value []byte) error {
	return l.table.Append(ctx, key, value)
}

// waitFor retries fn until it succeeds or ctx is done.
func waitFor(ctx context.Context, fn func(context.Context) error) error {
	for {
		err := fn(ctx)
		if err == nil || errors.Is(err, kafka.ErrAuthentication) {
			return err
		}
		t := time.NewTimer(250 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
