package subscription_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func openStore(t *testing.T, topic *subscriptiontest.Topic, clk *clock) *subscription.Store {
	t.Helper()
	s, err := subscription.Open(context.Background(), topic.Opener(), subscription.DefaultConfig(), subscription.CipherForTest(t), subscription.Options{Now: clk.now, ReservedTopics: []string{"engage."}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestStoreCreateReturnsSecretOnceAndRejectsDuplicates(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, subscriptiontest.NewTopic(), newClock())
	got, text, err := s.Create(ctx, subscription.WebhookSubForTest())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, webhook.SecretPrefix) || got.CreatedAt.IsZero() {
		t.Fatalf("Create = %+v, secret %q", got, text)
	}
	key, _ := webhook.ParseSecret(text)
	active := got.ActiveSecrets(time.Now())
	if len(active) != 1 || string(active[0]) != string(key) {
		t.Fatalf("ActiveSecrets = %d secrets, want the created one", len(active))
	}
	body, _ := json.Marshal(got)
	if strings.Contains(string(body), strings.TrimPrefix(text, "whsec_")) || strings.Contains(string(body), "secret") {
		t.Fatalf("subscription JSON shows the secret: %s", body)
	}
	if _, _, err := s.Create(ctx, subscription.WebhookSubForTest()); !errors.Is(err, subscription.ErrExists) {
		t.Fatalf("second Create = %v, want subscription.ErrExists", err)
	}
}

func TestStoreNeverWritesTheSecretInClear(t *testing.T) {
	topic := subscriptiontest.NewTopic()
	s := openStore(t, topic, newClock())
	_, text, err := s.Create(context.Background(), subscription.WebhookSubForTest())
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.TrimPrefix(text, "whsec_")
	for _, r := range topic.Records() {
		if strings.Contains(string(r[1]), raw) {
			t.Fatal("the topic holds the secret in clear")
		}
	}
}

func TestStoreReplacePatchAndDisable(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openStore(t, subscriptiontest.NewTopic(), clk)
	created, _, err := s.Create(ctx, subscription.WebhookSubForTest())
	if err != nil {
		t.Fatal(err)
	}
	clk.add(time.Minute)
	next := subscription.KafkaSubForTest()
	next.ID = ""
	replaced, text, err := s.Replace(ctx, "pos-sync", next)
	if err != nil || text != "" {
		t.Fatalf("Replace = %v, secret %q", err, text)
	}
	if replaced.ID != "pos-sync" || !replaced.CreatedAt.Equal(created.CreatedAt) || !replaced.UpdatedAt.After(created.UpdatedAt) {
		t.Fatalf("Replace kept wrong fields: %+v", replaced)
	}
	if len(replaced.ActiveSecrets(clk.now())) != 0 {
		t.Fatal("kafka destination kept signing secrets")
	}
	patched, text, err := s.Patch(ctx, "pos-sync", []byte(`{"destination":{"type":"webhook","topic":null,"format":null,"url":"https://n.example/h"},"rateLimit":5}`))
	if err != nil || text == "" {
		t.Fatalf("Patch to webhook = %v, secret %q (want a fresh one)", err, text)
	}
	if patched.RateLimit != 5 || patched.Destination.URL != "https://n.example/h" || patched.Destination.Timeout != 0 {
		t.Fatalf("Patch result %+v", patched)
	}
	if _, _, err := s.Patch(ctx, "pos-sync", []byte(`{"id":"other"}`)); !subscription.IsValidation(err) {
		t.Fatalf("Patch changing id = %v, want validation error", err)
	}
	if _, _, err := s.Patch(ctx, "pos-sync", []byte(`{"rateLimit":-3}`)); !subscription.IsValidation(err) {
		t.Fatalf("Patch to invalid = %v, want validation error", err)
	}
	if err := s.Disable(ctx, "pos-sync", "endpoint answered 410"); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("pos-sync")
	if got.Enabled || got.DisabledReason != "endpoint answered 410" {
		t.Fatalf("after Disable: %+v", got)
	}
	if len(s.Matcher().Load().Match(event.ContactCreated)) != 0 {
		t.Fatal("disabled subscription still matches")
	}
	got, _, _ = s.Patch(ctx, "pos-sync", []byte(`{"enabled":true}`))
	if !got.Enabled || got.DisabledReason != "" {
		t.Fatalf("re-enabled: %+v", got)
	}
}

func TestStoreUnknownIDIsNotFound(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, subscriptiontest.NewTopic(), newClock())
	checks := map[string]error{
		"get": func() error { _, err := s.Get("nope"); return err }(),
		"replace": func() error {
			sub := subscription.WebhookSubForTest()
			sub.ID = "nope"
			_, _, err := s.Replace(ctx, "nope", sub)
			return err
		}(),
		"patch":   func() error { _, _, err := s.Patch(ctx, "nope", []byte(`{}`)); return err }(),
		"delete":  s.Delete(ctx, "nope"),
		"rotate":  func() error { _, _, err := s.RotateSecret(ctx, "nope"); return err }(),
		"disable": s.Disable(ctx, "nope", "x"),
	}
	for name, err := range checks {
		t.Run(name, func(t *testing.T) {
			if !errors.Is(err, subscription.ErrNotFound) {
				t.Fatalf("%s = %v, want subscription.ErrNotFound", name, err)
			}
		})
	}
}

func TestRotateSecretKeepsTheOldOneForTheGracePeriod(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openStore(t, subscriptiontest.NewTopic(), clk)
	_, first, _ := s.Create(ctx, subscription.WebhookSubForTest())
	_, second, err := s.RotateSecret(ctx, "pos-sync")
	if err != nil || second == first {
		t.Fatalf("RotateSecret = %v", err)
	}
	k1, _ := webhook.ParseSecret(first)
	k2, _ := webhook.ParseSecret(second)
	sub, _ := s.Get("pos-sync")
	active := sub.ActiveSecrets(clk.now().Add(subscription.DefaultSecretGrace - time.Second))
	if len(active) != 2 || string(active[0]) != string(k2) || string(active[1]) != string(k1) {
		t.Fatalf("within grace: %d secrets, want new then old", len(active))
	}
	active = sub.ActiveSecrets(clk.now().Add(subscription.DefaultSecretGrace))
	if len(active) != 1 || string(active[0]) != string(k2) {
		t.Fatalf("after grace: %d secrets, want only the new one", len(active))
	}
	clk.add(2 * subscription.DefaultSecretGrace)
	_, _, _ = s.RotateSecret(ctx, "pos-sync")
	sub, _ = s.Get("pos-sync")
	if n := len(sub.ActiveSecrets(clk.now())); n != 2 {
		t.Fatalf("after a second rotation: %d active, want 2 (expired one dropped)", n)
	}
	ksub := subscription.KafkaSubForTest()
	_, _, _ = s.Create(ctx, ksub)
	if _, _, err := s.RotateSecret(ctx, ksub.ID); !subscription.IsValidation(err) {
		t.Fatalf("rotate on kafka destination = %v, want validation error", err)
	}
}

func TestDeleteStopsMatchingAndLeavesADeletionMarker(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	topic := subscriptiontest.NewTopic()
	s := openStore(t, topic, clk)
	_, _, _ = s.Create(ctx, subscription.WebhookSubForTest())
	if err := s.Delete(ctx, "pos-sync"); err != nil {
		t.Fatal(err)
	}
	if len(s.Matcher().Load().Match(event.ContactCreated)) != 0 {
		t.Fatal("deleted subscription still matches")
	}
	if at, ok := s.Deletions()["pos-sync"]; !ok || !at.Equal(clk.now()) {
		t.Fatalf("Deletions = %v", s.Deletions())
	}
	reopened := openStore(t, topic, clk)
	if _, ok := reopened.Deletions()["pos-sync"]; !ok {
		t.Fatal("deletion marker lost on restart")
	}
	if err := reopened.ForgetDeletion(ctx, "pos-sync"); err != nil || len(reopened.Deletions()) != 0 {
		t.Fatalf("ForgetDeletion = %v, left %v", err, reopened.Deletions())
	}
}

func TestAnotherInstanceSeesChangesAndIsNotified(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	topic := subscriptiontest.NewTopic()
	a, b := openStore(t, topic, newClock()), openStore(t, topic, newClock())
	changes, stop := b.Changes()
	defer stop()
	go func() { _ = b.Run(ctx) }()
	if _, _, err := a.Create(ctx, subscription.WebhookSubForTest()); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := b.Get("pos-sync"); err == nil {
			break
		}
		select {
		case <-changes:
		case <-ctx.Done():
			t.Fatal("other instance never saw the subscription")
		}
	}
	sub, _ := b.Get("pos-sync")
	if len(sub.ActiveSecrets(time.Now())) != 1 {
		t.Fatal("other instance cannot open the secret")
	}
}

func TestSeedCreatesMissingAndKeepsAPIEdits(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, subscriptiontest.NewTopic(), newClock())
	if err := s.Seed(ctx, []subscription.Subscription{subscription.WebhookSubForTest()}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Patch(ctx, "pos-sync", []byte(`{"description":"edited"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx, []subscription.Subscription{subscription.WebhookSubForTest(), subscription.KafkaSubForTest()}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("pos-sync")
	if got.Description != "edited" {
		t.Fatal("seeding overwrote an API edit")
	}
	if _, err := s.Get("bi"); err != nil {
		t.Fatal("second seed did not create the new subscription")
	}
}

func TestConfigSeedsNameBadKeys(t *testing.T) {
	cfg := subscription.DefaultConfig()
	cfg.Seed = []map[string]any{
		{"id": "ok", "eventtypes": []any{"*"}, "destination": map[string]any{"type": "webhook", "url": "https://x.example", "timeout": "5s"}},
		{"id": "bad", "eventtypes": []any{"*"}, "destination": map[string]any{"type": "webhook", "url": "nope"}},
	}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "subscriptions.seed[1].destination.url") {
		t.Fatalf("subscription.Validate = %v, want subscriptions.seed[1].destination.url", err)
	}
	cfg.Seed = cfg.Seed[:1]
	seeds, err := cfg.Seeds()
	if err != nil || len(seeds) != 1 || seeds[0].Destination.Timeout.Std() != 5*time.Second {
		t.Fatalf("Seeds = %+v, %v", seeds, err)
	}
	bad := subscription.Config{Topic: "a b", SecretGrace: -1}
	for _, key := range []string{"subscriptions.topic", "subscriptions.delivery_prefix", "subscriptions.secret_grace"} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("subscription.Validate = %v, want it to name %s", err, key)
		}
	}
}
