package kafka

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Config is the `kafka` section of engagehub's configuration.
type Config struct {
	// Brokers is the bootstrap list. Empty (the default) starts the embedded broker.
	Brokers []string `mapstructure:"brokers"`
	// Embedded configures the in-process broker used when Brokers is empty.
	Embedded EmbeddedConfig `mapstructure:"embedded"`
	// TopicPrefix prefixes every event topic. Default "engage.".
	TopicPrefix string `mapstructure:"topic_prefix"`
	// Partitions is the partition count of topics engagehub creates. Default 6.
	Partitions int `mapstructure:"partitions"`
	// ReplicationFactor of topics engagehub creates. Default 1 embedded, 3 otherwise.
	ReplicationFactor int `mapstructure:"replication_factor"`
	// ClientID names engagehub's connections in broker logs. Default "engagehub".
	ClientID string `mapstructure:"client_id"`
	// Security configures TLS and SASL for every connection. Default: plaintext.
	Security SecurityConfig `mapstructure:"security"`
	// RetryBackoffMax caps the wait between attempts to reach Kafka while
	// it does not answer (waits double from 100ms up to it): every role
	// waits out an outage for as long as the process runs and notices its
	// end within this. Default 5s.
	RetryBackoffMax time.Duration `mapstructure:"retry_backoff_max"`
}

// EmbeddedConfig is the `kafka.embedded` section.
type EmbeddedConfig struct {
	// Dir holds the broker's data. Default "./data/kafka".
	Dir string `mapstructure:"dir"`
	// Listen is the broker's address. Default "127.0.0.1:9092".
	Listen string `mapstructure:"listen"`
	// SASL, when a mechanism is set, makes the embedded broker require SASL
	// with this one user (a superuser). Default: no authentication.
	SASL SASLConfig `mapstructure:"sasl"`
}

// IsEmbedded reports whether no brokers are configured.
func (c Config) IsEmbedded() bool { return len(c.Brokers) == 0 }

// Validate returns every problem with the section, each naming its key.
func (c Config) Validate() error {
	var errs []error
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			errs = append(errs, fmt.Errorf("kafka.brokers: %q is not host:port", b))
		}
	}
	if c.IsEmbedded() {
		if c.Embedded.Dir == "" {
			errs = append(errs, errors.New("kafka.embedded.dir: required when kafka.brokers is empty"))
		}
		if _, _, err := net.SplitHostPort(c.Embedded.Listen); err != nil {
			errs = append(errs, fmt.Errorf("kafka.embedded.listen: %q is not host:port", c.Embedded.Listen))
		}
	}
	if c.TopicPrefix == "" || strings.ContainsAny(c.TopicPrefix, " /\\:") {
		errs = append(errs, fmt.Errorf("kafka.topic_prefix: %q must be non-empty and use only letters, digits, '.', '_' or '-'", c.TopicPrefix))
	}
	if c.Partitions < 1 {
		errs = append(errs, fmt.Errorf("kafka.partitions: must be at least 1, got %d", c.Partitions))
	}
	if c.ReplicationFactor < 1 {
		errs = append(errs, fmt.Errorf("kafka.replication_factor: must be at least 1, got %d", c.ReplicationFactor))
	}
	if c.RetryBackoffMax < 100*time.Millisecond || c.RetryBackoffMax > 5*time.Minute {
		errs = append(errs, fmt.Errorf("kafka.retry_backoff_max: must be between 100ms and 5m, got %s", c.RetryBackoffMax))
	}
	if err := c.Security.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// DefaultConfig returns the section's defaults (ReplicationFactor 0 means
// "1 embedded, 3 otherwise", resolved by the loader).
func DefaultConfig() Config {
	return Config{
		Brokers:     []string{},
		Embedded:    EmbeddedConfig{Dir: "./data/kafka", Listen: "127.0.0.1:9092"},
		TopicPrefix: "engage.",
		Partitions:  6,
		ClientID:    "engagehub",

		RetryBackoffMax: DefaultRetryBackoffMax,
	}
}
