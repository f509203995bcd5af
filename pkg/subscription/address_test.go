package subscription_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestStoreRefusesDestinationIPTheSenderWouldRefuse(t *testing.T) {
	t.Parallel()
	policy := webhook.DialPolicy{Allow: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}
	tests := []struct {
		url, reason string // reason "" means accepted
	}{
		{"http://192.0.0.192/hook", "special-purpose 192.0.0.0/24"},
		{"https://198.18.0.1/hook", "special-purpose 198.18.0.0/15"},
		{"http://127.0.0.1:9000/hook", "loopback"},
		{"http://[::1]/hook", "loopback"},
		{"http://[2002:a9fe:a9fe::]/hook", "6to4 wrapping metadata"},
		{"http://[::ffff:10.0.0.1]/hook", "private"},
		{"http://10.1.2.3/hook", ""}, // sender.allow_networks
		{"https://93.184.215.14/hook", ""},
		{"http://localhost/hook", ""}, // a name: checked after DNS, at dial time
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			t.Parallel()
			s, err := subscription.Open(context.Background(), subscriptiontest.NewTopic().Opener(), subscription.DefaultConfig(),
				subscription.CipherForTest(t), subscription.Options{Addresses: policy})
			if err != nil {
				t.Fatal(err)
			}
			sub := subscription.WebhookSubForTest()
			sub.Destination.URL = tt.url
			_, _, err = s.Create(context.Background(), sub)
			checkAddressRefusal(t, "create", err, tt.reason)
			if tt.reason != "" {
				return
			}
			_, _, err = s.Patch(context.Background(), sub.ID, []byte(`{"destination":{"url":"http://192.168.1.1/x"}}`))
			checkAddressRefusal(t, "patch", err, "private")
		})
	}
}

func checkAddressRefusal(t *testing.T, op string, err error, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("%s: %v, want accepted", op, err)
		}
		return
	}
	var v *subscription.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("%s: err = %v, want a ValidationError", op, err)
	}
	if !strings.Contains(err.Error(), "destination.url: ") || !strings.Contains(err.Error(), "("+reason+")") ||
		!strings.Contains(err.Error(), "sender.allow_networks") {
		t.Fatalf("%s: %q does not name destination.url, the rule %q and sender.allow_networks", op, err, reason)
	}
}
