package ingest

import (
	"errors"
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// Config is the `ingest` section.
type Config struct {
	// Engage configures POST /ingest/engage.
	Engage EngageConfig `mapstructure:"engage"`
	// MaxBodyBytes caps a request body; larger bodies get 413. Default 1048576 (1 MiB).
	MaxBodyBytes int64 `mapstructure:"max_body_bytes"`
	// WriteTimeout bounds the wait for Kafka's acknowledgement; past it the
	// request gets 503 with Retry-After. Default 5s.
	WriteTimeout time.Duration `mapstructure:"write_timeout"`
	// DedupWindow is how long a written Engage message id is remembered, so
	// that a retry of it writes nothing. Default 24h.
	DedupWindow time.Duration `mapstructure:"dedup_window"`
	// DedupCapacity caps the ids remembered (oldest forgotten first); about
	// 60 bytes each. Default 1000000.
	DedupCapacity int `mapstructure:"dedup_capacity"`
	// DedupTopic holds the window shared by every ingest replica: the hashes
	// of the ids each wrote, kept for dedup_window plus an hour. Default
	// "engagehub.ingest.dedup".
	DedupTopic string `mapstructure:"dedup_topic"`
	// DedupPublishInterval is how long a replica gathers the ids it wrote
	// before publishing them to dedup_topic in one record: the others know
	// an id this long (plus their fetch wait) after it was written, and a
	// restart reads at most a day's worth of seconds in records. Default 1s.
	DedupPublishInterval time.Duration `mapstructure:"dedup_publish_interval"`
	// IdempotencyWindow is how long the first response to a POST /v1/events
	// with an Idempotency-Key is given again to a request with the same key
	// and body. Default 12h.
	IdempotencyWindow time.Duration `mapstructure:"idempotency_window"`
	// IdempotencyMaxBytes bounds the memory of the remembered responses
	// (the oldest forgotten first). Default 33554432 (32 MiB).
	IdempotencyMaxBytes int `mapstructure:"idempotency_max_bytes"`
	// IdempotencyTopic holds the responses shared by every ingest replica,
	// kept for idempotency_window plus an hour. Default
	// "engagehub.ingest.idempotency".
	IdempotencyTopic string `mapstructure:"idempotency_topic"`
	// MaxBatch caps the events of one POST /v1/events request; more get 413.
	// Default 500.
	MaxBatch int `mapstructure:"max_batch"`
	// MaxInFlightBytes bounds the request-body memory all ingest requests
	// hold at once. A body takes from it as its bytes arrive (a client
	// trickling a large body holds only what it sent); a request that would
	// go past it gets 503 with Retry-After, which Engage retries. At least
	// max_body_bytes. Default 67108864 (64 MiB).
	MaxInFlightBytes int64 `mapstructure:"max_in_flight_bytes"`
}

// EngageConfig is the `ingest.engage` section.
type EngageConfig struct {
	// Secrets verify Engage's signatures: "whsec_..." values, several during
	// a rotation (secrets: redacted when printed). Default: none, which
	// refuses every webhook with 401.
	Secrets []secret.String `mapstructure:"secrets"`
	// Tolerance is how far a webhook's timestamp may be from now. Default 5m.
	Tolerance time.Duration `mapstructure:"tolerance"`
	// DecryptionKey decrypts isEncrypted payloads (AES-256-CBC): 32 bytes as
	// text, base64 or hex (a secret). Default: none, which keeps encrypted
	// payloads as ciphertext.
	DecryptionKey secret.String `mapstructure:"decryption_key"`
}

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{
		Engage:        EngageConfig{Tolerance: webhook.DefaultTolerance},
		MaxBodyBytes:  1 << 20,
		WriteTimeout:  5 * time.Second,
		DedupWindow:   24 * time.Hour,
		DedupCapacity: 1_000_000,
		DedupTopic:    "engagehub.ingest.dedup",

		DedupPublishInterval: time.Second,
		IdempotencyWindow:    12 * time.Hour,
		IdempotencyMaxBytes:  32 << 20,
		IdempotencyTopic:     "engagehub.ingest.idempotency",
		MaxBatch:             500,
		MaxInFlightBytes:     64 << 20,
	}
}

// Validate returns every problem with the section, each naming its key.
func (c Config) Validate() error {
	var errs []error
	positive := func(key string, ok bool, v any) {
		if !ok {
			errs = append(errs, fmt.Errorf("ingest.%s: must be positive, got %v", key, v))
		}
	}
	positive("max_body_bytes", c.MaxBodyBytes > 0, c.MaxBodyBytes)
	positive("write_timeout", c.WriteTimeout > 0, c.WriteTimeout)
	positive("dedup_window", c.DedupWindow > 0, c.DedupWindow)
	positive("dedup_capacity", c.DedupCapacity > 0, c.DedupCapacity)
	positive("max_batch", c.MaxBatch > 0, c.MaxBatch)
	positive("idempotency_window", c.IdempotencyWindow > 0, c.IdempotencyWindow)
	positive("idempotency_max_bytes", c.IdempotencyMaxBytes > 0, c.IdempotencyMaxBytes)
	if c.IdempotencyTopic == "" {
		errs = append(errs, errors.New("ingest.idempotency_topic: must not be empty"))
	}
	positive("dedup_publish_interval", c.DedupPublishInterval > 0, c.DedupPublishInterval)
	if c.DedupPublishInterval > time.Minute {
		errs = append(errs, fmt.Errorf("ingest.dedup_publish_interval: at most 1m (Engage retries after 5s), got %s", c.DedupPublishInterval))
	}
	if c.DedupTopic == "" {
		errs = append(errs, errors.New("ingest.dedup_topic: must not be empty"))
	}
	positive("engage.tolerance", c.Engage.Tolerance > 0, c.Engage.Tolerance)
	if c.MaxInFlightBytes < c.MaxBodyBytes {
		errs = append(errs, fmt.Errorf("ingest.max_in_flight_bytes: must be at least ingest.max_body_bytes (%d), got %d", c.MaxBodyBytes, c.MaxInFlightBytes))
	}
	for i, s := range c.Engage.Secrets {
		if _, err := webhook.ParseSecret(s.Reveal()); err != nil {
			errs = append(errs, fmt.Errorf("ingest.engage.secrets[%d]: %w", i, err))
		}
	}
	if c.Engage.DecryptionKey != "" {
		if _, err := parseKey(c.Engage.DecryptionKey.Reveal()); err != nil {
			errs = append(errs, fmt.Errorf("ingest.engage.decryption_key: %w", err))
		}
	}
	return errors.Join(errs...)
}

func (c Config) secrets() ([]webhook.Secret, error) {
	out := make([]webhook.Secret, 0, len(c.Engage.Secrets))
	for i, s := range c.Engage.Secrets {
		sec, err := webhook.ParseSecret(s.Reveal())
		if err != nil {
			return nil, fmt.Errorf("ingest: ingest.engage.secrets[%d]: %w", i, err)
		}
		out = append(out, sec)
	}
	return out, nil
}
