package config

import (
	"errors"
	"fmt"
	"os"
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
	v.SetEnvPrefix(strings.TrimSuffix(EnvPrefix, "_"))
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	return v
}

// Load reads defaults, then the YAML file at path (if path is not empty),
// then ENGAGEHUB_* environment variables, then flags (each flag's name is its
// key, e.g. --http.listen; only flags the user set count). A key of the file
// or an ENGAGEHUB_* variable that is no configuration key is an error naming
// it and the nearest key, as is every problem Validate finds. It returns the
// config even then, so callers can print it.
func Load(path string, flags *pflag.FlagSet) (Config, error) {
	v := newViper()
	known := v.AllKeys()
	var unknown []error
	if path != "" {
		v.SetConfigFile(path)
		if err := v.ReadInConfig(); err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
		unknown = append(unknown, unknownKeys(path, known))
	}
	unknown = append(unknown, unknownEnv(os.Environ(), known))
	if err := bindFlags(v, flags); err != nil {
		return Config{}, err
	}
	cfg, err := decode(v)
	if err != nil {
		return Config{}, err
	}
	return cfg, errors.Join(append(unknown, cfg.Validate())...)
}

// bindFlags binds the set flags named after keys.
func bindFlags(v *viper.Viper, flags *pflag.FlagSet) error {
	if flags == nil {
		return nil
	}
	known := defaultValues()
	var errs []error
	flags.Visit(func(f *pflag.Flag) {
		if _, ok := known[f.Name]; ok {
			errs = append(errs, v.BindPFlag(f.Name, f))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: bind flags: %w", err)
	}
	return nil
}

// decode unmarshals v and fills in the values derived from others.
func decode(v *viper.Viper) (Config, error) {
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
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
	return cfg, nil
}
