package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Keys returns every configuration key, sorted; tests use it to check that
// deployment files only set real keys.
func Keys() []string {
	v := newViper()
	return v.AllKeys()
}

func newViper() *viper.Viper {
	v := viper.New()
	for k, val := range defaultValues() {
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
		known := defaultValues()
		var errs []error
		flags.Visit(func(f *pflag.Flag) {
			if _, ok := known[f.Name]; ok {
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
	if cfg.Kafka.ReplicationFactor == 0 {
		cfg.Kafka.ReplicationFactor = 3
		if cfg.Kafka.IsEmbedded() {
			cfg.Kafka.ReplicationFactor = 1
		}
	}
	cfg.Sender.Topics.DeliverPrefix = cfg.Subscriptions.DeliveryPrefix
	cfg.Sender.Topics.DeliverPartitions = cfg.Subscriptions.DeliveryPartitions
	return cfg, cfg.Validate()
}
