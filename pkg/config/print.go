package config

import (
	"fmt"
	"reflect"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"go.yaml.in/yaml/v3"
)

const redacted = "<redacted>"

// Redacted returns a copy with every secret replaced, safe to print or log.
func (c Config) Redacted() Config {
	r := c
	r.Auth.Tokens = redactAll(c.Auth.Tokens)
	r.Auth.SecretKey = redactIfSet(c.Auth.SecretKey)
	r.Kafka.Security.SASL.Password = redactIfSet(c.Kafka.Security.SASL.Password)
	r.Kafka.Embedded.SASL.Password = redactIfSet(c.Kafka.Embedded.SASL.Password)
	r.SchemaRegistry.Password = redactIfSet(c.SchemaRegistry.Password)
	r.Ingest.Engage.Secrets = redactAll(c.Ingest.Engage.Secrets)
	r.Ingest.Engage.DecryptionKey = redactIfSet(c.Ingest.Engage.DecryptionKey)
	return r
}

func redactAll(secrets []string) []string {
	out := make([]string, len(secrets))
	for i := range out {
		out[i] = redacted
	}
	return out
}

func redactIfSet(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// YAML renders the config with its configuration keys (durations as "5s").
func (c Config) YAML() ([]byte, error) {
	out, err := yaml.Marshal(toMap(c))
	if err != nil {
		return nil, fmt.Errorf("config: render: %w", err)
	}
	return out, nil
}

// toMap turns a config struct into nested maps keyed by configuration key.
func toMap(v any) map[string]any {
	m, _ := stringifyDurations(v).(map[string]any)
	return m
}

// stringifyDurations walks nested maps (mapstructure keeps nested structs as
// values) so that every level renders with configuration keys.
func stringifyDurations(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			x[k] = stringifyDurations(val)
		}
		return x
	case time.Duration:
		return x.String()
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Struct {
		var m map[string]any
		if err := mapstructure.Decode(v, &m); err == nil {
			return stringifyDurations(m)
		}
	}
	if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Struct {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = stringifyDurations(rv.Index(i).Interface())
		}
		return out
	}
	return v
}
