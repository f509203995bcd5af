package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// defaults holds every key's default; a key must be here for ENGAGEHUB_*
// environment variables to reach it.
var defaults = map[string]any{
	"http.listen":              "127.0.0.1:8080",
	"http.read_header_timeout": "5s",
	"http.idle_timeout":        "120s",
	"http.shutdown_timeout":    "15s",

	"auth.tokens":     []string{},
	"auth.secret_key": "",

	"kafka.brokers":                           []string{},
	"kafka.embedded.dir":                      "./data/kafka",
	"kafka.embedded.listen":                   "127.0.0.1:9092",
	"kafka.embedded.sasl.mechanism":           "",
	"kafka.embedded.sasl.username":            "",
	"kafka.embedded.sasl.password":            "",
	"kafka.topic_prefix":                      "engage.",
	"kafka.partitions":                        6,
	"kafka.replication_factor":                0, // resolved in Load: 1 embedded, 3 otherwise
	"kafka.client_id":                         "engagehub",
	"kafka.security.tls.enabled":              false,
	"kafka.security.tls.ca_file":              "",
	"kafka.security.tls.cert_file":            "",
	"kafka.security.tls.key_file":             "",
	"kafka.security.tls.insecure_skip_verify": false,
	"kafka.security.sasl.mechanism":           "",
	"kafka.security.sasl.username":            "",
	"kafka.security.sasl.password":            "",

	"schema_registry.url":      "",
	"schema_registry.username": "",
	"schema_registry.password": "",

	"log.level":  "info",
	"log.format": "json",
}

// Keys returns every configuration key, sorted; tests use it to check that
// deployment files only set real keys.
func Keys() []string {
	v := newViper()
	return v.AllKeys()
}

func newViper() *viper.Viper {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("ENGAGEHUB")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	return v
}

// Load reads defaults, then the YAML file at path (if path is not empty),
// then ENGAGEHUB_* environment variables, then flags (each flag's name is its
// key, e.g. --http.listen; only flags the user set count). It returns the
// config even when Validate fails, so callers can print it.
func Load(path string, flags *pflag.FlagSet) (Config, error) {
	v := newViper()
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
	}
	if flags != nil {
		var errs []error
		flags.Visit(func(f *pflag.Flag) {
			if _, known := defaults[f.Name]; known {
				errs = append(errs, v.BindPFlag(f.Name, f))
			}
		})
		if err := errors.Join(errs...); err != nil {
			return Config{}, fmt.Errorf("config: bind flags: %w", err)
		}
	}
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = false
		dc.DecodeHook = mapstructure.ComposeDecodeHookFunc(
			mapstructure.StringToTimeDurationHookFunc(),
			splitCommaList,
		)
	})
	if err != nil {
		return Config{}, fmt.Errorf("config: decode: %w", err)
	}
	if !v.IsSet("kafka.replication_factor") || v.GetInt("kafka.replication_factor") == 0 {
		cfg.Kafka.ReplicationFactor = 3
		if cfg.Kafka.IsEmbedded() {
			cfg.Kafka.ReplicationFactor = 1
		}
	}
	return cfg, cfg.Validate()
}
