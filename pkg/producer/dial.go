package producer

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// DefaultTopicPrefix is the prefix of the event topics when Config names none.
const DefaultTopicPrefix = "engage."

// Config is what a service outside engagehub needs to produce events.
type Config struct {
	// Kafka holds the brokers (required), security and topic prefix (default
	// "engage."); the embedded-broker fields are ignored.
	Kafka kafka.Config
	// RegistryURL is a Confluent-compatible schema registry, e.g. engagehub's
	// built-in one at "http://engagehub:8080/registry". Required.
	RegistryURL string
	// RegistryToken, when set, is sent as a bearer token (engagehub's
	// registry authenticates writes). Default: none.
	RegistryToken string
	// RegistryUsername and RegistryPassword, when set, are sent as HTTP Basic
	// credentials instead (Confluent Cloud). Default: none.
	RegistryUsername, RegistryPassword string
	// Writer tunes the Kafka writer. Default: kafka.WriterOptions{} (2 ms
	// batches, acks=all).
	Writer kafka.WriterOptions
}

// Validate names every missing setting.
func (c Config) Validate() error {
	var errs []error
	if len(c.Kafka.Brokers) == 0 {
		errs = append(errs, errors.New("producer: kafka brokers: required"))
	}
	if c.RegistryURL == "" {
		errs = append(errs, errors.New("producer: registry url: required"))
	}
	return errors.Join(errs...)
}

// Dial connects to Kafka and the schema registry, registers the event
// schemas (the same subjects engagehub registers; registering again is a
// no-op), and returns a Producer whose Close closes the writer and client.
// The topics themselves are created by engagehub (or broker auto-creation).
func Dial(ctx context.Context, cfg Config, log *zap.Logger) (*Producer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	serde, err := dialSerde(ctx, cfg)
	if err != nil {
		return nil, err
	}
	client, err := kafka.New(cfg.Kafka, cfg.Kafka.Brokers, log)
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	w := client.NewWriter(cfg.Writer)
	p := New(serde, w)
	p.close = func() error {
		err := w.Close()
		client.Close()
		return err
	}
	return p, nil
}

func dialSerde(ctx context.Context, cfg Config) (*schema.Serde, error) {
	var opts []registry.ClientOption
	switch {
	case cfg.RegistryToken != "":
		opts = append(opts, registry.WithBearerToken(cfg.RegistryToken))
	case cfg.RegistryUsername != "":
		opts = append(opts, registry.WithBasicAuth(cfg.RegistryUsername, cfg.RegistryPassword))
	}
	reg, err := registry.NewClient(cfg.RegistryURL, opts...)
	if err != nil {
		return nil, fmt.Errorf("producer: registry: %w", err)
	}
	set, err := schema.Load()
	if err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	prefix := cfg.Kafka.TopicPrefix
	if prefix == "" {
		prefix = DefaultTopicPrefix
	}
	serde := schema.NewSerde(reg, set, prefix)
	if err := serde.Prepare(ctx); err != nil {
		return nil, fmt.Errorf("producer: %w", err)
	}
	return serde, nil
}
