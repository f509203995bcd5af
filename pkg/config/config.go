package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/fanout"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ingest"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
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
	SchemaRegistry SchemaRegistryConfig `mapstructure:"schema_registry"`
	Log            LogConfig            `mapstructure:"log"`
}

// SchemaRegistryConfig is the `schema_registry` section.
type SchemaRegistryConfig struct {
	// URL of a Confluent-compatible registry. Default "": engagehub serves a
	// built-in one at <http.listen>/registry, stored in Kafka.
	URL string `mapstructure:"url"`
	// Username and Password for the external registry's Basic auth
	// (Password is a secret). Default "".
	Username string `mapstructure:"username"`
	Password string `mapstructure:"password"`
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
	errs := []error{c.HTTP.Validate(), c.Auth.Validate(), c.Kafka.Validate(), c.Ingest.Validate(), c.Subscriptions.Validate(), c.Fanout.Validate(), c.Sender.Validate(), c.SchemaRegistry.validate(), c.Log.validate()}
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
