package bench

import (
	"slices"
	"strings"
	"testing"
)

func TestChildEnvironmentDropsTheCallersEngagehubSettings(t *testing.T) {
	t.Parallel()
	env := childEnv([]string{"PATH=/bin", "ENGAGEHUB_KAFKA_BROKERS=prod:9092", "ENGAGEHUB_LOG_LEVEL=debug"},
		ChildOptions{Brokers: "127.0.0.1:9", Listen: "127.0.0.1:8", Token: "tok", SecretKey: "key", Run: "ab12", Env: []string{"X=1"}})
	get := func(key string) []string {
		var vals []string
		for _, kv := range env {
			if k, v, _ := strings.Cut(kv, "="); k == key {
				vals = append(vals, v)
			}
		}
		return vals
	}
	checks := map[string]string{
		"PATH": "/bin", "ENGAGEHUB_KAFKA_BROKERS": "127.0.0.1:9", "ENGAGEHUB_LOG_LEVEL": "warn",
		"ENGAGEHUB_KAFKA_TOPIC_PREFIX": "bench.ab12.", "ENGAGEHUB_AUTH_TOKENS": "tok",
		"ENGAGEHUB_SENDER_ALLOW_NETWORKS": "127.0.0.0/8", "ENGAGEHUB_KAFKA_REPLICATION_FACTOR": "1", "X": "1",
	}
	for k, want := range checks {
		if got := get(k); !slices.Equal(got, []string{want}) {
			t.Errorf("%s = %v, want exactly [%s]", k, got, want)
		}
	}
}

func TestConfigSettingsBecomeTheChildsEnvironment(t *testing.T) {
	t.Parallel()
	got := configEnv([]string{"sender.http_client=net/http", "fanout.linger=2ms", "sender.allow_networks=10.0.0.0/8,127.0.0.0/8"})
	want := []string{"ENGAGEHUB_SENDER_HTTP_CLIENT=net/http", "ENGAGEHUB_FANOUT_LINGER=2ms", "ENGAGEHUB_SENDER_ALLOW_NETWORKS=10.0.0.0/8,127.0.0.0/8"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
