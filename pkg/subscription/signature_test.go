package subscription_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

func ed25519Sub() subscription.Subscription {
	s := subscription.WebhookSubForTest()
	s.Signature = subscription.SignatureEd25519
	return s
}

func TestEd25519SubscriptionSignsWithAKeyWhosePublicHalfIsShown(t *testing.T) {
	ctx := context.Background()
	topic := subscriptiontest.NewTopic()
	s := openStore(t, topic, newClock())
	got, text, err := s.Create(ctx, ed25519Sub())
	if err != nil {
		t.Fatal(err)
	}
	if text != "" {
		t.Fatalf("Create showed a secret for an ed25519 subscription: %q", text)
	}
	keys := got.ActiveSigningKeys(time.Now())
	if len(keys) != 1 || len(got.ActiveSecrets(time.Now())) != 0 {
		t.Fatalf("active: %d keys, %d HMAC secrets; want 1 key only", len(keys), len(got.ActiveSecrets(time.Now())))
	}
	pub := got.CurrentPublicKey()
	if pub != keys[0].Public().String() || !strings.HasPrefix(pub, webhook.PublicKeyPrefix) {
		t.Fatalf("CurrentPublicKey = %q, want the signing key's", pub)
	}
	body, _ := json.Marshal(got)
	if !strings.Contains(string(body), `"signature":"ed25519"`) {
		t.Fatalf("JSON lacks the signature scheme: %s", body)
	}
	sig := webhook.SignEd25519(keys[0], "msg_1", time.Unix(1700000000, 0), []byte("{}"))
	for _, r := range topic.Records() {
		if strings.Contains(string(r[1]), webhook.SigningKeyPrefix) {
			t.Fatal("the topic holds the signing key in clear")
		}
	}
	pk, _ := webhook.ParsePublicKey(pub)
	v, _ := webhook.NewKeyVerifier(nil, []webhook.PublicKey{pk}, 0, func() time.Time { return time.Unix(1700000000, 0) })
	if _, err := v.Verify(webhook.Headers("msg_1", time.Unix(1700000000, 0), sig, false), []byte("{}")); err != nil {
		t.Fatalf("the public key does not verify the key's signature: %v", err)
	}
}

func TestEd25519RotationDualSignsForTheGracePeriod(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openStore(t, subscriptiontest.NewTopic(), clk)
	created, _, _ := s.Create(ctx, ed25519Sub())
	first := created.CurrentPublicKey()
	rotated, text, err := s.RotateSecret(ctx, created.ID)
	if err != nil || text != "" {
		t.Fatalf("RotateSecret = %q, %v", text, err)
	}
	second := rotated.CurrentPublicKey()
	if second == first {
		t.Fatal("rotation kept the public key")
	}
	within := clk.now().Add(subscription.DefaultSecretGrace - time.Second)
	pubs := rotated.PublicKeys(within)
	if len(pubs) != 2 || pubs[0].Key != second || pubs[1].Key != first || pubs[1].ExpiresAt.IsZero() {
		t.Fatalf("PublicKeys within grace = %+v, want new then old (expiring)", pubs)
	}
	if n := len(rotated.ActiveSigningKeys(within)); n != 2 {
		t.Fatalf("within grace %d signing keys, want 2", n)
	}
	after := clk.now().Add(subscription.DefaultSecretGrace)
	if n := len(rotated.ActiveSigningKeys(after)); n != 1 {
		t.Fatalf("after grace %d signing keys, want 1", n)
	}
}

func TestChangingTheSchemeKeepsTheOldSecretSigningForTheGrace(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	s := openStore(t, subscriptiontest.NewTopic(), clk)
	_, _, _ = s.Create(ctx, subscription.WebhookSubForTest())
	got, text, err := s.Patch(ctx, "pos-sync", []byte(`{"signature": "ed25519"}`))
	if err != nil || text != "" {
		t.Fatalf("Patch = %q, %v", text, err)
	}
	within := clk.now().Add(time.Minute)
	if len(got.ActiveSigningKeys(within)) != 1 || len(got.ActiveSecrets(within)) != 1 || got.CurrentPublicKey() == "" {
		t.Fatalf("after the switch: %d keys, %d secrets; want one of each", len(got.ActiveSigningKeys(within)), len(got.ActiveSecrets(within)))
	}
	if n := len(got.ActiveSecrets(clk.now().Add(subscription.DefaultSecretGrace))); n != 0 {
		t.Fatalf("after grace %d HMAC secrets, want 0", n)
	}
	again, _, _ := s.Patch(ctx, "pos-sync", []byte(`{"description": "same scheme"}`))
	if again.CurrentPublicKey() != got.CurrentPublicKey() {
		t.Fatal("an unrelated patch minted a new key")
	}
}

func TestSignatureIsValidated(t *testing.T) {
	t.Parallel()
	cases := map[string]func(*subscription.Subscription){
		"unknown scheme": func(s *subscription.Subscription) { s.Signature = "rsa" },
		"kafka destination": func(s *subscription.Subscription) {
			*s = subscription.KafkaSubForTest()
			s.Signature = subscription.SignatureEd25519
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			s := subscription.WebhookSubForTest()
			mutate(&s)
			err := subscription.Validate(s)
			if err == nil || !strings.Contains(err.Error(), "signature:") {
				t.Fatalf("Validate = %v, want a problem naming signature", err)
			}
		})
	}
}
