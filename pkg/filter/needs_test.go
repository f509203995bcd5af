package filter

import (
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
