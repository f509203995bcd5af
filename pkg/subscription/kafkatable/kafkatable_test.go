package kafkatable_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/kafkatable"
)

func testClient(t *testing.T) *kafka.Client {
	t.Helper()
	brokers := os.Getenv("ENGAGEHUB_TEST_KAFKA_BROKERS")
	if brokers == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		_ = ln.Close()
		e, err := kafka.StartEmbedded(kafka.EmbeddedConfig{Dir: t.TempDir(), Listen: addr}, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.Close)
		brokers = e.Addr()
	}
	c, err := kafka.New(kafka.Config{Partitions: 3, ReplicationFactor: 1}, strings.Split(brokers, ","), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func TestChangeOnOneInstanceIsSeenByAnotherWithinASecond(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := testClient(t)
	cfg := subscription.DefaultConfig()
	cfg.Topic = "kt-" + time.Now().Format("150405.000000") + ".subscriptions"
	cipher, _ := subscription.NewCipher(strings.Repeat("cd", 32))
	open := func() *subscription.Store {
		s, err := subscription.Open(ctx, kafkatable.Opener(client, cfg.Topic), cfg, cipher, subscription.Options{})
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = s.Run(ctx) }()
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	a, b := open(), open()
	changes, stop := b.Changes()
	defer stop()
	sub := subscription.Subscription{ID: "x", EventTypes: []string{"*"}, Enabled: true,
		Destination: subscription.Destination{Type: subscription.DestinationWebhook, URL: "https://x.example"}}
	start := time.Now()
	if _, _, err := a.Create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(time.Second)
	for {
		if got, err := b.Get("x"); err == nil {
			if len(got.ActiveSecrets(time.Now())) != 1 {
				t.Fatal("other instance cannot open the signing secret")
			}
			break
		}
		select {
		case <-changes:
		case <-deadline:
			t.Fatalf("not visible on the other instance after %v", time.Since(start))
		}
	}
	if err := a.Delete(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	deadline = time.After(time.Second)
	for len(b.Matcher().Load().Subscriptions()) != 0 {
		select {
		case <-changes:
		case <-deadline:
			t.Fatal("tombstone not applied on the other instance within a second")
		}
	}
	c := open()
	if _, err := c.Get("x"); err == nil || len(c.Deletions()) != 1 {
		t.Fatalf("a restarted instance sees the deleted subscription or lost its marker: %v %v", err, c.Deletions())
	}
}
