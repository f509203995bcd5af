package subscription

import (
	"slices"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func ids(subs []*Subscription) []string {
	out := []string{}
	for _, s := range subs {
		out = append(out, s.ID)
	}
	return out
}

func TestSnapshotMatchesPatternsOfEnabledSubscriptions(t *testing.T) {
	subs := []*Subscription{
		{ID: "all", EventTypes: []string{"*"}, Enabled: true},
		{ID: "contacts", EventTypes: []string{"contact.*"}, Enabled: true},
		{ID: "points", EventTypes: []string{"point.balance.updated", "loyalty.addPoints"}, Enabled: true},
		{ID: "off", EventTypes: []string{"*"}, Enabled: false},
	}
	snap := NewSnapshot(subs, 1)
	tests := []struct {
		typ  event.Type
		want []string
	}{
		{event.ContactCreated, []string{"all", "contacts"}},
		{event.ContactAcceptsEmailChanged, []string{"all", "contacts"}},
		{event.PointBalanceUpdated, []string{"all", "points"}},
		{event.RewardVoucherCreated, []string{"all"}},
		{"custom.thing", []string{"all"}},
		{"contact.brandnew", []string{"all", "contacts"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ), func(t *testing.T) {
			if got := ids(snap.Match(tc.typ)); !slices.Equal(got, tc.want) {
				t.Fatalf("Match = %v, want %v", got, tc.want)
			}
		})
	}
	if got := ids(snap.Subscriptions()); !slices.Equal(got, []string{"all", "contacts", "off", "points"}) {
		t.Fatalf("Subscriptions = %v", got)
	}
}

func TestMatcherSetPublishesANewSnapshotWithoutTouchingTheOld(t *testing.T) {
	m := NewMatcher()
	old := m.Load()
	m.Set(NewSnapshot([]*Subscription{{ID: "a", EventTypes: []string{"*"}, Enabled: true}}, 2))
	if len(old.Match(event.ContactCreated)) != 0 {
		t.Fatal("old snapshot changed")
	}
	if got := ids(m.Load().Match(event.ContactCreated)); !slices.Equal(got, []string{"a"}) || m.Load().Version() != 2 {
		t.Fatalf("new snapshot = %v v%d", got, m.Load().Version())
	}
}

func TestMergePatch(t *testing.T) {
	tests := []struct{ name, doc, patch, want string }{
		{"replace member", `{"a":1,"b":2}`, `{"a":3}`, `{"a":3,"b":2}`},
		{"null removes", `{"a":1,"b":2}`, `{"a":null}`, `{"b":2}`},
		{"nested merge", `{"d":{"x":1,"h":{"k":"v","j":"w"}}}`, `{"d":{"h":{"k":null}}}`, `{"d":{"h":{"j":"w"},"x":1}}`},
		{"array replaced", `{"a":[1,2]}`, `{"a":[3]}`, `{"a":[3]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := mergePatch([]byte(tc.doc), []byte(tc.patch))
			if err != nil || string(got) != tc.want {
				t.Fatalf("mergePatch = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
