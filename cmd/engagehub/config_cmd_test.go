package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/config"
)

func TestUnknownKeyOrVariableFailsValidateAndServeWithExitTwo(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("kafka:\n  partitons: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, env string
		args      []string
		want      []string
	}{
		{"validate, file key", "", []string{"config", "validate", "--config", file}, []string{"kafka.partitons", "kafka.partitions"}},
		{"serve, file key", "", []string{"serve", "--config", file}, []string{"kafka.partitons", "kafka.partitions"}},
		{"validate, variable", "ENGAGEHUB_KAFKA_PARTITONS", []string{"config", "validate"}, []string{"ENGAGEHUB_KAFKA_PARTITONS", "ENGAGEHUB_KAFKA_PARTITIONS"}},
		{"serve, variable", "ENGAGEHUB_KAFKA_PARTITONS", []string{"serve"}, []string{"ENGAGEHUB_KAFKA_PARTITONS", "ENGAGEHUB_KAFKA_PARTITIONS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_DIR", t.TempDir()) // serve must not get as far as a broker
			if tt.env != "" {
				t.Setenv(tt.env, "3")
			}
			_, stderr, err := runCLI(t, tt.args...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err = %v, want exit code 2", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not name %s", err, w)
				}
			}
			if strings.Contains(stderr, "configuration is valid") {
				t.Fatalf("stderr says valid: %s", stderr)
			}
		})
	}
}

// The reconciler retires a deleted subscription's dead letters under the
// configured prefix, and never the retry tiers: they are shared by every
// subscription (engagehub.retry.5m would otherwise go with a subscription
// named "5m").
func TestReconcilerRetiresTheConfiguredSenderPrefixes(t *testing.T) {
	t.Setenv("ENGAGEHUB_SENDER_TOPICS_RETRY_PREFIX", "shop.retry.")
	t.Setenv("ENGAGEHUB_SENDER_TOPICS_DLQ_PREFIX", "shop.dlq.")
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := retiredPrefixes(cfg.Sender.Topics)
	if len(got) != 1 || got[0] != "shop.dlq." {
		t.Fatalf("retired prefixes = %q, want only the configured sender.topics.dlq_prefix", got)
	}
}
