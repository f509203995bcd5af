package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/engagehub/engagehub/pkg/console"
	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ingest"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/ops/attemptindex"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/telemetry"
	"github.com/engagehub/engagehub/pkg/transform"
)

// Config is engagehub's whole configuration.
type Config struct {
	HTTP           httpapi.Config       `mapstructure:"http"`
	Auth           httpapi.AuthConfig   `mapstructure:"auth"`
	Kafka          kafka.Config         `mapstructure:"kafka"`
	Ingest         ingest.Config        `mapstructure:"ingest"`
	Subscriptions  subscription.Config  `mapstructure:"subscriptions"`
	Fanout         fanout.Config        `mapstructure:"fanout"`
	Sender         delivery.Config      `mapstructure:"sender"`
	Transform      transform.Config     `mapstructure:"transform"`
	Telemetry      telemetry.Config     `mapstructure:"telemetry"`
	Console        console.Config       `mapstructure:"console"`
	SchemaRegistry SchemaRegistryConfig `mapstructure:"schema_registry"`
	Log            LogConfig            `mapstructure:"log"`
	Runtime        RuntimeConfig        `mapstructure:"runtime"`
	// AttemptIndex bounds the admin role's index of the attempt log.
	AttemptIndex attemptindex.Config `mapstructure:"attempt_index"`
}

// RuntimeConfig is the `runtime` section: the Go garbage collector's pacing.
type RuntimeConfig struct {
	// GCPercent is the GC target (GOGC): more means less CPU spent collecting
	// and a larger heap. The GOGC environment variable wins when set.
	// Default 400 (engagehub allocates briefly per event; at 100 a quarter of
	// its CPU went to the collector).
	GCPercent int `mapstructure:"gc_percent"`
	// GCPercentAtRest is the GC target while the process is at rest (at
	// most one collection in 10 s): the heap then follows what is live
	// instead of growing to (1+GCPercent/100)× it. 0 keeps GCPercent
	// always. Ignored when GOGC is set. Default 100.
	GCPercentAtRest int `mapstructure:"gc_percent_at_rest"`
	// MemoryLimitMiB is a soft memory limit (GOMEMLIMIT) in MiB: near it the
	// collector runs harder whatever GCPercent says. 0 means none. The
	// GOMEMLIMIT environment variable wins when set. Default 0.
	MemoryLimitMiB int64 `mapstructure:"memory_limit_mib"`
}

// SchemaRegistryConfig is the `schema_registry` section.
type SchemaRegistryConfig struct {
	// URL of a Confluent-compatible registry. Default "": engagehub serves a
	// built-in one at <http.listen>/registry, stored in Kafka.
	URL string `mapstructure:"url"`
	// Username and Password for the external registry's Basic auth
	// (Password is a secret). Default "".
	Username string        `mapstructure:"username"`
	Password secret.String `mapstructure:"password"`
}

// LogConfig is the `log` section.
type LogConfig struct {
	// Level is debug, info, warn or error. Default "info".
	Level string `mapstructure:"level"`
	// Format is "json" (production) or "console" (make run). Default "json".
	Format string `mapstructure:"format"`
}

// Validate returns every problem, each naming its key.
func (c Config) Validate() error {
	errs := []error{c.HTTP.Validate(), c.Auth.Validate(), c.Kafka.Validate(), c.Ingest.Validate(), c.Subscriptions.Validate(), c.Fanout.Validate(), c.Sender.Validate(), c.Transform.Validate(), c.Telemetry.Validate(), c.SchemaRegistry.validate(), c.Log.validate(), c.Runtime.validate(), c.AttemptIndex.Validate()}
	errs = append(errs, c.Console.Validate())
	return errors.Join(errs...)
}

func (s SchemaRegistryConfig) validate() error {
	if s.URL == "" {
		return nil
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("schema_registry.url: %q is not an http(s) URL", s.URL)
	}
	return nil
}

func (r RuntimeConfig) validate() error {
	var errs []error
	if r.GCPercent < 10 {
		errs = append(errs, fmt.Errorf("runtime.gc_percent: must be at least 10, got %d", r.GCPercent))
	}
	if r.GCPercentAtRest != 0 && (r.GCPercentAtRest < 10 || r.GCPercentAtRest > r.GCPercent) {
		errs = append(errs, fmt.Errorf("runtime.gc_percent_at_rest: must be 0 (off) or 10 to runtime.gc_percent (%d), got %d", r.GCPercent, r.GCPercentAtRest))
	}
	if r.MemoryLimitMiB < 0 {
		errs = append(errs, fmt.Errorf("runtime.memory_limit_mib: must not be negative, got %d", r.MemoryLimitMiB))
	}
	return errors.Join(errs...)
}

func (l LogConfig) validate() error {
	var errs []error
	switch strings.ToLower(l.Level) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level: %q is not debug, info, warn or error", l.Level))
	}
	if l.Format != "json" && l.Format != "console" {
		errs = append(errs, fmt.Errorf("log.format: %q is not json or console", l.Format))
	}
	return errors.Join(errs...)
}
