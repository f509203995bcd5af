package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatalf("defaults must validate: %v", err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:8080" || cfg.Kafka.Partitions != 6 || cfg.Kafka.TopicPrefix != "engage." {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
	if cfg.Kafka.Embedded.Dir != "./data/kafka" || cfg.Kafka.Embedded.Listen != "127.0.0.1:9092" {
		t.Fatalf("unexpected embedded defaults: %+v", cfg.Kafka.Embedded)
	}
	if cfg.Kafka.ReplicationFactor != 1 {
		t.Fatalf("replication factor embedded = %d, want 1", cfg.Kafka.ReplicationFactor)
	}
}

func TestReplicationFactorDefaultsToThreeWithBrokers(t *testing.T) {
	t.Setenv("ENGAGEHUB_KAFKA_BROKERS", "k1:9092, k2:9092")
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Kafka.Brokers) != 2 || cfg.Kafka.Brokers[1] != "k2:9092" {
		t.Fatalf("brokers = %q", cfg.Kafka.Brokers)
	}
	if cfg.Kafka.ReplicationFactor != 3 {
		t.Fatalf("replication factor = %d, want 3", cfg.Kafka.ReplicationFactor)
	}
}

func TestPrecedenceFileThenEnv(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "http:\n  listen: 127.0.0.1:9000\nkafka:\n  partitions: 12\n  topic_prefix: shop.\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ENGAGEHUB_KAFKA_PARTITIONS", "3")
	cfg, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Listen != "127.0.0.1:9000" || cfg.Kafka.TopicPrefix != "shop." {
		t.Fatalf("file values not applied: %+v", cfg)
	}
	if cfg.Kafka.Partitions != 3 {
		t.Fatalf("env must override file: partitions = %d", cfg.Kafka.Partitions)
	}
}

func TestValidateNamesEveryBadKey(t *testing.T) {
	for key, env := range map[string]string{
		"kafka.partitions":              "ENGAGEHUB_KAFKA_PARTITIONS=0",
		"http.listen":                   "ENGAGEHUB_HTTP_LISTEN=nowhere",
		"kafka.brokers":                 "ENGAGEHUB_KAFKA_BROKERS=no-port",
		"kafka.topic_prefix":            "ENGAGEHUB_KAFKA_TOPIC_PREFIX=a b",
		"schema_registry.url":           "ENGAGEHUB_SCHEMA_REGISTRY_URL=ftp://x",
		"log.level":                     "ENGAGEHUB_LOG_LEVEL=loud",
		"kafka.security.sasl.mechanism": "ENGAGEHUB_KAFKA_SECURITY_SASL_MECHANISM=GSSAPI",
		"auth.tokens[0]":                "ENGAGEHUB_AUTH_TOKENS=short",
		"sender.http_client":            "ENGAGEHUB_SENDER_HTTP_CLIENT=curl",
		"sender.pipelining":             "ENGAGEHUB_SENDER_PIPELINING=-1",
		"runtime.gc_percent_at_rest":    "ENGAGEHUB_RUNTIME_GC_PERCENT_AT_REST=500",
	} {
		t.Run(key, func(t *testing.T) {
			name, value, _ := strings.Cut(env, "=")
			t.Setenv(name, value)
			_, err := Load("", nil)
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("error %v does not name %s", err, key)
			}
		})
	}
}

// Pipelining is fasthttp's: asked of net/http it is refused, naming the key.
func TestValidateRefusesPipeliningOverNetHTTP(t *testing.T) {
	t.Setenv("ENGAGEHUB_SENDER_PIPELINING", "4")
	t.Setenv("ENGAGEHUB_SENDER_HTTP_CLIENT", "net/http")
	_, err := Load("", nil)
	if err == nil || !strings.Contains(err.Error(), "sender.pipelining") {
		t.Fatalf("error %v does not name sender.pipelining", err)
	}
}

func TestValidateReportsAllProblemsAtOnce(t *testing.T) {
	t.Setenv("ENGAGEHUB_KAFKA_PARTITIONS", "0")
	t.Setenv("ENGAGEHUB_LOG_FORMAT", "xml")
	_, err := Load("", nil)
	for _, key := range []string{"kafka.partitions", "log.format"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Fatalf("error %v does not name %s", err, key)
		}
	}
}

// Every secret of the configuration is a secret.String: the printed
// config, its JSON (what zap logs) and fmt's verbs all hide them.
func TestPrintedConfigHidesEverySecret(t *testing.T) {
	t.Setenv("ENGAGEHUB_AUTH_TOKENS", "dev-token-0123456789")
	t.Setenv("ENGAGEHUB_KAFKA_SECURITY_SASL_PASSWORD", "hunter2-hunter2")
	t.Setenv("ENGAGEHUB_INGEST_ENGAGE_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	t.Setenv("ENGAGEHUB_AUTH_SECRET_KEY", "c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=")
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_SASL_PASSWORD", "embedded-pass-123")
	t.Setenv("ENGAGEHUB_SCHEMA_REGISTRY_PASSWORD", "registry-pass-456")
	t.Setenv("ENGAGEHUB_INGEST_ENGAGE_DECRYPTION_KEY", "0123456789abcdef0123456789abcdef")
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	yamlOut, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	jsonOut, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := string(yamlOut) + string(jsonOut) + fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg)
	if len(cfg.Ingest.Engage.Secrets) != 1 {
		t.Fatalf("ingest secrets from env = %q", cfg.Ingest.Engage.Secrets)
	}
	for _, secret := range []string{"dev-token-0123456789", "hunter2-hunter2", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		"c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=", "embedded-pass-123", "registry-pass-456", "0123456789abcdef0123456789abcdef"} {
		if strings.Contains(out, secret) {
			t.Fatalf("printed config leaks %q:\n%s", secret, out)
		}
	}
	for _, key := range []string{"listen: 127.0.0.1:8080", "shutdown_timeout: 15s", "topic_prefix: engage."} {
		if !strings.Contains(out, key) {
			t.Fatalf("printed config lacks %q:\n%s", key, out)
		}
	}
}

func TestUnknownKeysAndVariablesAreNamedWithTheNearestKey(t *testing.T) {
	tests := []struct {
		name, yaml, env string
		want            []string
	}{
		{name: "misspelt key in its section", yaml: "kafka:\n  partitons: 3\n",
			want: []string{"kafka.partitons: unknown key", "the nearest key is kafka.partitions"}},
		{name: "key without its section", yaml: "retry_schedul: [1s]\n",
			want: []string{"retry_schedul: unknown key", "the nearest key is sender.retry_schedule"}},
		{name: "top-level typo", yaml: "partitons: 3\n",
			want: []string{"partitons: unknown key", "the nearest key is kafka.partitions"}},
		{name: "unknown variable", env: "ENGAGEHUB_KAFKA_PARTITONS=3",
			want: []string{"ENGAGEHUB_KAFKA_PARTITONS: unknown environment variable", "the nearest is ENGAGEHUB_KAFKA_PARTITIONS"}},
		{name: "unknown section variable", env: "ENGAGEHUB_SENDR_TIMEOUT=3s",
			want: []string{"ENGAGEHUB_SENDR_TIMEOUT", "the nearest is ENGAGEHUB_SENDER_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = filepath.Join(t.TempDir(), "c.yaml")
				if err := os.WriteFile(path, []byte(tt.yaml), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.env != "" {
				name, value, _ := strings.Cut(tt.env, "=")
				t.Setenv(name, value)
			}
			_, err := Load(path, nil)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Fatalf("Load error %v, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestKnownKeysSectionsAndOtherVariablesPass(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	yaml := "sender:\n  retry_schedule: [1s, 5s]\n  topics:\n    dlq_prefix: x.dlq.\nkafka:\n  embedded:\n" +
		"subscriptions:\n  seed:\n    - id: pos\n      eventTypes: [\"contact.*\"]\n      destination: {type: webhook, url: \"https://pos.example.com/h\"}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ENGAGEHUB_TOKEN", "cli-token")
	t.Setenv("ENGAGEHUB_RECEIVE_SECRET", "whsec_x")
	t.Setenv("ENGAGEHUB_TEST_KAFKA_BROKERS", "127.0.0.1:1")
	t.Setenv("ENGAGEHUB_SENDER_TOPICS_RETRY_PREFIX", "x.retry.")
	if _, err := Load(path, nil); err != nil {
		t.Fatalf("valid keys and engagehub's other variables refused: %v", err)
	}
}
