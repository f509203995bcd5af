package subscription

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Defaults of the `subscriptions` section.
const (
	DefaultTopic              = "engagehub.subscriptions"
	DefaultDeliveryPrefix     = "engagehub.deliver."
	DefaultSecretGrace        = 24 * time.Hour
	DefaultDeleteGrace        = time.Hour
	DefaultReservedTopicsBase = "engagehub."
	// DefaultDeliveryPartitions fits a thousand subscriptions on a small
	// cluster: 1,000 subscriptions are 1,000 partitions (3,000 replicas at
	// replication 3), where kafka.partitions (6) would make 6,000. Every
	// partition costs the broker in each fetch over it and each produce to
	// it: with 1,000 subscriptions at 5 events/s the embedded broker's p99
	// fell from 690 to 490 ms going from 2 partitions each to 1
	// (docs/benchmarks.md).
	DefaultDeliveryPartitions = 1
)

// Config is the `subscriptions` section.
type Config struct {
	// Topic is the compacted topic holding the subscriptions.
	// Default "engagehub.subscriptions".
	Topic string `mapstructure:"topic"`
	// DeliveryPrefix prefixes every webhook subscription's delivery topic:
	// <prefix><id>. Default "engagehub.deliver.".
	DeliveryPrefix string `mapstructure:"delivery_prefix"`
	// DeliveryPartitions is the partition count of delivery topics created
	// from now on: the most sender instances one subscription's deliveries
	// can spread over (a subscription's throughput does not need more: the
	// sender works on many records of one partition at once). Default 1.
	DeliveryPartitions int `mapstructure:"delivery_partitions"`
	// SecretGrace is how long a rotated-out signing secret keeps signing.
	// Default 24h.
	SecretGrace time.Duration `mapstructure:"secret_grace"`
	// DeleteGrace is how long a deleted subscription's delivery topic is kept
	// before the reconciler deletes it. Default 1h.
	DeleteGrace time.Duration `mapstructure:"delete_grace"`
	// Seed lists subscriptions (in the admin API's JSON shape) created at
	// start when missing. Existing ones are left alone, so edits made
	// through the API win over the file. Default: none.
	Seed []map[string]any `mapstructure:"seed"`
}

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{Topic: DefaultTopic, DeliveryPrefix: DefaultDeliveryPrefix, DeliveryPartitions: DefaultDeliveryPartitions,
		SecretGrace: DefaultSecretGrace, DeleteGrace: DefaultDeleteGrace}
}

// DeliveryTopic returns the delivery topic of subscription id.
func (c Config) DeliveryTopic(id string) string { return c.DeliveryPrefix + id }

// Validate returns every problem with the section, each naming its full key.
func (c Config) Validate() error {
	var errs []error
	if !topicPattern.MatchString(c.Topic) {
		errs = append(errs, fmt.Errorf("subscriptions.topic: %q is not a legal Kafka topic name", c.Topic))
	}
	if c.DeliveryPrefix == "" || !topicPattern.MatchString(c.DeliveryPrefix) {
		errs = append(errs, fmt.Errorf("subscriptions.delivery_prefix: %q must be a non-empty legal topic prefix", c.DeliveryPrefix))
	}
	if c.DeliveryPartitions < 1 {
		errs = append(errs, fmt.Errorf("subscriptions.delivery_partitions: must be at least 1, got %d", c.DeliveryPartitions))
	}
	if c.SecretGrace < 0 {
		errs = append(errs, errors.New("subscriptions.secret_grace: must not be negative"))
	}
	if c.DeleteGrace < 0 {
		errs = append(errs, errors.New("subscriptions.delete_grace: must not be negative"))
	}
	if _, err := c.Seeds(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Seeds decodes and validates Seed. Errors name the key, e.g.
// "subscriptions.seed[0].destination.url: must be an absolute http(s) URL".
// Keys are matched case-insensitively, as viper lowercases them.
func (c Config) Seeds() ([]Subscription, error) {
	out := make([]Subscription, 0, len(c.Seed))
	var errs []error
	for i, raw := range c.Seed {
		key := fmt.Sprintf("subscriptions.seed[%d]", i)
		s, err := decodeSeed(raw)
		if err == nil {
			err = Validate(s, DefaultReservedTopicsBase)
		}
		if err != nil {
			errs = append(errs, prefixErr(key, err))
			continue
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}

func decodeSeed(raw map[string]any) (Subscription, error) {
	b, err := json.Marshal(raw)
	if err != nil {
		return Subscription{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return Decode(b)
}

func prefixErr(key string, err error) error {
	var v *ValidationError
	if !errors.As(err, &v) {
		return fmt.Errorf("%s: %w", key, err)
	}
	errs := make([]error, len(v.Problems))
	for i, p := range v.Problems {
		errs[i] = fmt.Errorf("%s.%s: %s", key, p.Field, p.Reason)
	}
	return errors.Join(errs...)
}
