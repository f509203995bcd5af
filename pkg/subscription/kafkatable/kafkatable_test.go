package kafkatable_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/kafkatable"
)

func TestChangeOnOneInstanceIsSeenByAnotherWithinASecond(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := kafkatest.Client(t)
	cfg := subscription.DefaultConfig()
	cfg.Topic = kafkatest.Topic(t, "subscriptions")
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
