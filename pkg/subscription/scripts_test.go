package subscription

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateFilterAndTransform(t *testing.T) {
	tests := []struct {
		name   string
		sub    func() Subscription
		edit   func(*Subscription)
		field  string // "" when valid
		reason string
	}{
		{"valid filter", webhookSub, func(s *Subscription) {
			s.Filter = `type == "point.balance.updated" && payload.balance > 1000.0`
		}, "", ""},
		{"filter syntax error", webhookSub, func(s *Subscription) { s.Filter = `type == ` }, "filter", "1:9: "},
		{"filter unknown field", webhookSub, func(s *Subscription) { s.Filter = `payload.balanse > 1.0` }, "filter", "1:8: undefined field 'balanse'"},
		{"filter type error", webhookSub, func(s *Subscription) { s.Filter = `payload.balance == "x"` }, "filter", "1:17: found no matching overload"},
		{"filter on kafka", kafkaSub, func(s *Subscription) { s.Filter = `payload.unknown.storeId == "S1"` }, "", ""},
		{"valid transform", webhookSub, func(s *Subscription) {
			s.Transform = `function handler(w) { w.headers["x-type"] = w.eventType; return w }`
		}, "", ""},
		{"transform syntax error", webhookSub, func(s *Subscription) { s.Transform = "function handler(w) {\n  return w +\n}" }, "transform", "line 3:1: SyntaxError"},
		{"transform fails on an example", webhookSub, func(s *Subscription) {
			s.Transform = "function handler(w) {\n  w.payload = w.payload.payload.attributes.email;\n  return w\n}"
		}, "transform", "line 2:44: TypeError: Cannot read property 'email' of undefined (on the contact.acceptsEmail.changed example)"},
		{"transform on kafka", kafkaSub, func(s *Subscription) { s.Transform = `function handler(w) { return w }` }, "transform", "only applies to webhook destinations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := tc.sub()
			tc.edit(&s)
			err := Validate(s, "engagehub.", "engage.")
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) || len(v.Problems) != 1 || v.Problems[0].Field != tc.field || !strings.Contains(v.Problems[0].Reason, tc.reason) {
				t.Fatalf("Validate = %v, want one problem %s containing %q", err, tc.field, tc.reason)
			}
		})
	}
}
