package kafkatest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBrokersUsesEnvironmentWhenSet(t *testing.T) {
	t.Setenv(EnvBrokers, " 10.0.0.1:9092, 10.0.0.2:9092 ,")
	got := Brokers(t)
	want := []string{"10.0.0.1:9092", "10.0.0.2:9092"}
	if !slices.Equal(got, want) {
		t.Fatalf("Brokers = %q, want %q", got, want)
	}
}

func TestBrokersStartsEmbeddedWhenUnset(t *testing.T) {
	t.Setenv(EnvBrokers, "")
	c := ClientFor(t, Brokers(t))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatalf("embedded broker does not answer: %v", err)
	}
	if p := c.Config().Partitions; p != 3 {
		t.Fatalf("partitions = %d, want 3", p)
	}
}

var legalTopic = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)

func TestTopicIsUniqueAndLegal(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		name := Topic(t, "orders")
		if seen[name] {
			t.Fatalf("Topic returned %q twice", name)
		}
		seen[name] = true
		if !legalTopic.MatchString(name) || !strings.HasPrefix(name, "orders.TestTopicIsUniqueAndLegal.") {
			t.Fatalf("Topic = %q, want a legal name starting with the prefix and test name", name)
		}
	}
	t.Run("sub test/with spaces and ünicode", func(t *testing.T) {
		if name := Topic(t, ""); !legalTopic.MatchString(name) {
			t.Fatalf("Topic = %q, not a legal topic name", name)
		}
	})
}

func TestEmbeddedIsAlwaysInProcess(t *testing.T) {
	t.Setenv(EnvBrokers, "10.0.0.1:9092")
	e := Embedded(t)
	if !strings.HasPrefix(e.Addr(), "127.0.0.1:") {
		t.Fatalf("Embedded addr = %q, want a local address", e.Addr())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ClientFor(t, []string{e.Addr()}).Ping(ctx); err != nil {
		t.Fatalf("embedded broker does not answer: %v", err)
	}
}
