package event

import (
	"slices"
	"testing"
)

func TestCatalogListsElevenTypesInStableOrder(t *testing.T) {
	t.Parallel()
	want := []Type{
		ContactAcceptsEmailChanged, ContactAcceptsSmsChanged, ContactAcceptsPostalChanged,
		ContactConsentChanged, ContactCreated, ContactUpdated, ContactDeleted,
		LoyaltyAddPoints, PointBalanceUpdated, RewardVoucherCreated, PromotionMultichannelAssigned,
	}
	var got []Type
	for _, s := range Catalog() {
		got = append(got, s.Type)
		if !slices.Contains(s.Required, contactID) || len(s.Example) == 0 || s.Description == "" {
			t.Errorf("%s: spec incomplete: %+v", s.Type, s.Required)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Catalog types = %v", got)
	}
}

func TestLookupReturnsCopies(t *testing.T) {
	t.Parallel()
	s, ok := Lookup(PointBalanceUpdated)
	if !ok {
		t.Fatal("Lookup: not found")
	}
	s.Required[0] = "mutated"
	s.Example[0] = 'X'
	again, _ := Lookup(PointBalanceUpdated)
	if again.Required[0] == "mutated" || again.Example[0] == 'X' {
		t.Fatal("Lookup shares its slices")
	}
	if _, ok := Lookup("order.created"); ok {
		t.Fatal("Lookup found an unknown type")
	}
}

func TestTopicNames(t *testing.T) {
	t.Parallel()
	if got := Topic("engage.", PointBalanceUpdated); got != "engage.point.balance.updated" {
		t.Fatalf("Topic = %q", got)
	}
	if got := UnrecognizedTopic("engage."); got != "engage._unrecognized" {
		t.Fatalf("UnrecognizedTopic = %q", got)
	}
}
