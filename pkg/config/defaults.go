package config

import (
	"reflect"

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

// Default returns the configuration with every section at its package's
// defaults: the one place defaults come from.
func Default() Config {
	return Config{
		HTTP:          httpapi.DefaultConfig(),
		Auth:          httpapi.AuthConfig{Tokens: []secret.String{}},
		Kafka:         kafka.DefaultConfig(),
		Ingest:        ingest.DefaultConfig(),
		Subscriptions: subscription.DefaultConfig(),
		Fanout:        fanout.DefaultConfig(),
		Sender:        delivery.DefaultConfig(),
		Transform:     transform.DefaultConfig(),
		Telemetry:     telemetry.DefaultConfig(),
		Console:       console.DefaultConfig(),
		Log:           LogConfig{Level: "info", Format: "json"},
		Runtime:       RuntimeConfig{GCPercent: 400, GCPercentAtRest: 100},
		AttemptIndex:  attemptindex.DefaultConfig(),
	}
}

// defaultValues flattens Default() into dotted keys ("kafka.partitions"),
// durations rendered as text, so viper knows every key (environment
// variables only reach keys it knows).
func defaultValues() map[string]any {
	out := map[string]any{}
	flatten("", toMap(Default()), out)
	return out
}

func flatten(prefix string, m map[string]any, out map[string]any) {
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			flatten(key, sub, out)
			continue
		}
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.IsNil() {
			v = []string{} // a nil list renders as [] and still takes env values
		}
		out[key] = v
	}
}
