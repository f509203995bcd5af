package subscription_test

import (
	"context"
	"errors"
	"testing"

	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

// A new subscription's destination is provisioned before its record is
// written: whoever sees the subscription finds its topic in place, and a
// failed provisioning writes nothing.
func TestCreateProvisionsTheDestinationBeforeWritingTheRecord(t *testing.T) {
	ctx := context.Background()
	topic := subscriptiontest.NewTopic()
	var provisioned []string
	fail := false
	var s *subscription.Store
	provision := func(_ context.Context, sub subscription.Subscription) error {
		if _, err := s.Get(sub.ID); err == nil {
			t.Errorf("%s: provisioned after its record was written", sub.ID)
		}
		if fail {
			return errors.New("kafka away")
		}
		provisioned = append(provisioned, sub.ID)
		return nil
	}
	s, err := subscription.Open(ctx, topic.Opener(), subscription.DefaultConfig(), subscription.CipherForTest(t), subscription.Options{Provision: provision})
	if err != nil {
		t.Fatal(err)
	}
	sub := subscription.WebhookSubForTest()
	if _, _, err := s.Create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	if len(provisioned) != 1 || provisioned[0] != sub.ID {
		t.Fatalf("provisioned %v, want [%s]", provisioned, sub.ID)
	}
	fail = true
	other := subscription.WebhookSubForTest()
	other.ID = "other"
	if _, _, err := s.Create(ctx, other); err == nil {
		t.Fatal("create succeeded although provisioning failed")
	}
	if _, err := s.Get("other"); err == nil {
		t.Fatal("a subscription whose provisioning failed was written")
	}
	fail = false
	disabled := subscription.WebhookSubForTest()
	disabled.ID, disabled.Enabled = "disabled", false
	if _, _, err := s.Create(ctx, disabled); err != nil {
		t.Fatal(err)
	}
	if len(provisioned) != 1 {
		t.Fatalf("provisioned %v: a disabled subscription gets its topic when fan-out first needs it", provisioned)
	}
}
