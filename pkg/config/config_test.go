package config

import (
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

func TestRedactedHidesSecrets(t *testing.T) {
	t.Setenv("ENGAGEHUB_AUTH_TOKENS", "dev-token-0123456789")
	t.Setenv("ENGAGEHUB_KAFKA_SECURITY_SASL_PASSWORD", "hunter2-hunter2")
	t.Setenv("ENGAGEHUB_INGEST_ENGAGE_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Redacted().YAML()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Ingest.Engage.Secrets) != 1 {
		t.Fatalf("ingest secrets from env = %q", cfg.Ingest.Engage.Secrets)
	}
	for _, secret := range []string{"dev-token-0123456789", "hunter2-hunter2", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if strings.Contains(string(out), secret) {
			t.Fatalf("printed config leaks %q:\n%s", secret, out)
		}
	}
	for _, key := range []string{"listen: 127.0.0.1:8080", "shutdown_timeout: 15s", "topic_prefix: engage."} {
		if !strings.Contains(string(out), key) {
			t.Fatalf("printed config lacks %q:\n%s", key, out)
		}
	}
}
