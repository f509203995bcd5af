package event_test

import (
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// The header names are a contract with downstream consumers (DESIGN.md §2):
// renaming one breaks them.
func TestRecordHeaderNamesAreTheWireContract(t *testing.T) {
	t.Parallel()
	for got, want := range map[string]string{
		event.HeaderEventID: "event-id", event.HeaderEventType: "event-type",
		event.HeaderSource: "source", event.HeaderReceivedAt: "received-at",
		event.HeaderWebhookID: "webhook-id", event.HeaderSubscription: "subscription",
		event.HeaderRetryAttempt: "retry-attempt", event.HeaderRetryDue: "retry-due", event.HeaderRetryParked: "retry-parked",
		event.HeaderDLQStatus: "dlq-status", event.HeaderDLQError: "dlq-error",
		event.HeaderDLQAttempts: "dlq-attempts", event.HeaderDLQAt: "dlq-at",
	} {
		if got != want {
			t.Errorf("header %q, want %q", got, want)
		}
	}
}

func TestTopicsAreOnePerCatalogTypeThenUnrecognized(t *testing.T) {
	t.Parallel()
	topics := event.Topics("shop.")
	catalog := event.Catalog()
	if len(topics) != len(catalog)+1 {
		t.Fatalf("%d topics for %d types", len(topics), len(catalog))
	}
	for i, s := range catalog {
		if topics[i] != "shop."+string(s.Type) {
			t.Errorf("topics[%d] = %s, want shop.%s", i, topics[i], s.Type)
		}
	}
	if last := topics[len(topics)-1]; last != "shop._unrecognized" {
		t.Errorf("last topic %s, want shop._unrecognized", last)
	}
}

func TestNearestNamesTheClosestCatalogType(t *testing.T) {
	t.Parallel()
	for typ, want := range map[event.Type]event.Type{
		"contact.upated": event.ContactUpdated, "Contact.Created": event.ContactCreated,
		"loyalty.addpoint": event.LoyaltyAddPoints, "point.balance.update": event.PointBalanceUpdated,
	} {
		if got := typ.Nearest(); got != want {
			t.Errorf("%s.Nearest() = %s, want %s", typ, got, want)
		}
	}
}
