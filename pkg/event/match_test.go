package event

import "testing"

func TestMatchSelectsByPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		typ     Type
		want    bool
	}{
		{"*", PointBalanceUpdated, true},
		{"*", "order.created", true},
		{"contact.*", ContactCreated, true},
		{"contact.*", ContactAcceptsEmailChanged, true},
		{"contact.*", "contact", false},
		{"contact.*", "contactx.created", false},
		{"contact.acceptsEmail.*", ContactAcceptsEmailChanged, true},
		{"contact.acceptsEmail.*", ContactAcceptsSmsChanged, false},
		{"point.balance.updated", PointBalanceUpdated, true},
		{"point.balance.updated", "point.balance.updated.v2", false},
		{"Contact.*", ContactCreated, false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+string(tt.typ), func(t *testing.T) {
			t.Parallel()
			if got := Match(tt.pattern, tt.typ); got != tt.want {
				t.Fatalf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidPatternRejectsMisplacedWildcards(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		ok      bool
	}{
		{"*", true},
		{"contact.*", true},
		{"loyalty.addPoints", true},
		{"order.created", true},
		{"", false},
		{".*", false},
		{"contact*", false},
		{"*.created", false},
		{"contact..created", false},
		{"contact.created ", false},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			if err := ValidPattern(tt.pattern); (err == nil) != tt.ok {
				t.Fatalf("ValidPattern(%q) = %v, want ok=%v", tt.pattern, err, tt.ok)
			}
		})
	}
}
