package config

import (
	"fmt"
	"reflect"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"go.yaml.in/yaml/v3"
)

// YAML renders the config with its configuration keys (durations as "5s").
// Secrets are secret.String, which renders as "[redacted]": the output is
// safe to print or log.
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
