package attemptindex

import (
	"errors"
	"fmt"
)

// Config bounds the index.
type Config struct {
	// MaxEntries caps the attempts indexed across all subscriptions, 32
	// bytes each. Default 2,000,000 (64 MiB).
	MaxEntries int `mapstructure:"max_entries"`
	// MinPerSubscription is how many of its newest attempts every
	// subscription keeps however many subscriptions share MaxEntries.
	// Default 1,000.
	MinPerSubscription int `mapstructure:"min_per_subscription"`
}

// Validate checks the bounds, naming each key.
func (c Config) Validate() error {
	var errs []error
	if c.MaxEntries < 1000 {
		errs = append(errs, fmt.Errorf("attempt_index.max_entries: %d, want at least 1000", c.MaxEntries))
	}
	if c.MinPerSubscription < 1 || c.MinPerSubscription > c.MaxEntries {
		errs = append(errs, fmt.Errorf("attempt_index.min_per_subscription: %d, want 1..max_entries", c.MinPerSubscription))
	}
	return errors.Join(errs...)
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{MaxEntries: 2_000_000, MinPerSubscription: 1_000} }

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.MaxEntries <= 0 {
		c.MaxEntries = d.MaxEntries
	}
	if c.MinPerSubscription <= 0 {
		c.MinPerSubscription = d.MinPerSubscription
	}
	return c
}

// share is each subscription's capacity when subs subscriptions share the index.
func (c Config) share(subs int) int {
	return max(c.MinPerSubscription, c.MaxEntries/max(1, subs))
}
