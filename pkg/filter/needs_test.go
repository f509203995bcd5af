package filter

import (
	"maps"
	"slices"
	"testing"
)

func TestNeedsListsThePayloadFieldsAnExpressionReads(t *testing.T) {
	cases := []struct {
		expr         string
		fields       []string
		all, unknown bool
	}{
		{`type == "point.balance.updated" && source == "engage"`, nil, false, false},
		{`payload.balance > 1000.0 && has(payload.balanceExpires) && payload.balance < 5000.0`, []string{"balance", "balanceExpires"}, false, false},
		{`payload.?contactType.orValue("") == "Member"`, []string{"contactType"}, false, false},
		{`payload.unknown.storeId == "S1" || payload.attributes.email != ""`, []string{"attributes"}, false, true},
		{`[payload].size() == 1`, nil, true, true},
		{`payload.attributes.exists(k, k == "email")`, []string{"attributes"}, false, false},
	}
	entries := []struct {
		expr    string
		entries map[string][]string
	}{
		{`payload.attributes.email != "" && has(payload.attributes.zipCode) || payload.attributes["email"] == "x"`, map[string][]string{"attributes": {"email", "zipCode"}}},
		{`has(payload.attributes.email) && size(payload.attributes) > 2`, nil},
		{`has(payload.attributes) && payload.attributes.email == ""`, nil},
		{`"email" in payload.attributes`, nil},
		{`payload.balance > 1.0`, nil},
	}
	for _, c := range entries {
		if got := mustCompile(t, c.expr, "*").Needs().Entries; !maps.EqualFunc(got, c.entries, slices.Equal) {
			t.Errorf("%s: Entries = %v, want %v", c.expr, got, c.entries)
		}
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			n := mustCompile(t, c.expr, "*").Needs()
			if !slices.Equal(n.Fields, c.fields) || n.All != c.all || n.Unknown != c.unknown {
				t.Fatalf("Needs = %+v, want fields %v all %v unknown %v", n, c.fields, c.all, c.unknown)
			}
			if n.Reads() != (len(c.fields) > 0 || c.all || c.unknown) {
				t.Fatalf("Reads = %v", n.Reads())
			}
		})
	}
}
