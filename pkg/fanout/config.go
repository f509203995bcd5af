package fanout

import (
	"errors"
	"time"
)

// Config is the `fanout` section.
type Config struct {
	// Group is the consumer group of the fan-out instances.
	// Default "engagehub-fanout".
	Group string `mapstructure:"group"`
	// BatchSize is the most event records copied per batch. Default 1000.
	BatchSize int `mapstructure:"batch_size"`
	// BatchCopies bounds a batch by the copies it makes: once its events
	// add up to this many copies (events × matching subscriptions) it is
	// written, whatever BatchSize says, so the copies in memory and the
	// time one write takes do not grow with the number of subscriptions.
	// Default 20000 (about 14 MiB of 512-byte events).
	BatchCopies int `mapstructure:"batch_copies"`
	// Linger is how long a batch waits for more records after the first.
	// Default 5ms.
	Linger time.Duration `mapstructure:"linger"`
	// RetryBackoff is the first wait after a failed fetch, write or commit;
	// further waits double up to kafka.retry_backoff_max, for as long as
	// the failure lasts. Default 500ms.
	RetryBackoff time.Duration `mapstructure:"retry_backoff"`
	// ShutdownTimeout bounds finishing the batches in hand (at most one
	// being committed, one being written, one fetched) when the role stops.
	// Default 10s.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{Group: "engagehub-fanout", BatchSize: 1000, BatchCopies: 20000, Linger: 5 * time.Millisecond,
		RetryBackoff: 500 * time.Millisecond, ShutdownTimeout: 10 * time.Second}
}

// Validate returns every problem with the section, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.Group == "" {
		errs = append(errs, errors.New("fanout.group: must not be empty"))
	}
	if c.BatchSize < 1 || c.BatchSize > 100000 {
		errs = append(errs, errors.New("fanout.batch_size: must be between 1 and 100000"))
	}
	if c.BatchCopies < 1 {
		errs = append(errs, errors.New("fanout.batch_copies: must be at least 1"))
	}
	if c.Linger < 0 || c.Linger > time.Second {
		errs = append(errs, errors.New("fanout.linger: must be between 0 and 1s"))
	}
	if c.RetryBackoff <= 0 {
		errs = append(errs, errors.New("fanout.retry_backoff: must be positive"))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("fanout.shutdown_timeout: must be positive"))
	}
	return errors.Join(errs...)
}
