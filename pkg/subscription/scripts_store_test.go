package subscription_test

import (
	"context"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

func TestFilterAndTransformAreStoredPatchedAndRemoved(t *testing.T) {
	ctx := context.Background()
	topic := subscriptiontest.NewTopic()
	s := openStore(t, topic, newClock())
	sub := subscription.WebhookSubForTest()
	sub.Filter = `type == "point.balance.updated" && payload.balance > 1000.0`
	sub.Transform = `function handler(w) { w.headers["x-type"] = w.eventType; return w }`
	if _, _, err := s.Create(ctx, sub); err != nil {
		t.Fatal(err)
	}
	reopened := openStore(t, topic, newClock())
	got, err := reopened.Get(sub.ID)
	if err != nil || got.Filter != sub.Filter || got.Transform != sub.Transform {
		t.Fatalf("after a restart: filter %q, transform %q, %v", got.Filter, got.Transform, err)
	}
	if m := reopened.Matcher().Load().Match(event.PointBalanceUpdated); len(m) != 1 || m[0].Filter != sub.Filter {
		t.Fatalf("the matcher's snapshot lacks the filter: %v", m)
	}
	patched, _, err := s.Patch(ctx, sub.ID, []byte(`{"filter":"payload.accountId == 7","transform":null}`))
	if err != nil || patched.Filter != "payload.accountId == 7" || patched.Transform != "" {
		t.Fatalf("Patch = %q, %q, %v", patched.Filter, patched.Transform, err)
	}
	if _, _, err := s.Patch(ctx, sub.ID, []byte(`{"filter":"payload.acountId == 7"}`)); !subscription.IsValidation(err) ||
		!strings.Contains(err.Error(), "filter: 1:8: undefined field 'acountId'") {
		t.Fatalf("Patch with a bad filter = %v, want a validation error naming filter and 1:8", err)
	}
	if _, _, err := s.Patch(ctx, sub.ID, []byte(`{"destination":{"type":"kafka","topic":"team.t","url":null,"headers":null,"timeout":null},"transform":"function handler(w) { return w }"}`)); !subscription.IsValidation(err) ||
		!strings.Contains(err.Error(), "transform: only applies to webhook destinations") {
		t.Fatalf("Patch to a kafka destination with a transform = %v, want a validation error", err)
	}
	cleared, _, err := s.Patch(ctx, sub.ID, []byte(`{"filter":null}`))
	if err != nil || cleared.Filter != "" {
		t.Fatalf("Patch removing the filter = %q, %v", cleared.Filter, err)
	}
}
