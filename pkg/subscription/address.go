package subscription

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
)

// AddressPolicy is the sender's outbound address policy as far as
// validation needs it; webhook.DialPolicy (built from sender.allow_networks)
// satisfies it. Refusal names the rule refusing addr ("loopback",
// "special-purpose 198.18.0.0/15"), or returns "" when addr may be dialed.
type AddressPolicy interface {
	Refusal(addr netip.Addr) string
}

// checkAddress refuses a webhook destination whose URL names a literal IP
// the policy would refuse at dial time, so the mistake is a 422 now rather
// than a dead letter at the first delivery. Host names are left to the dial
// check, which sees what they resolve to.
func checkAddress(policy AddressPolicy, d Destination) *FieldError {
	if policy == nil || !d.IsWebhook() {
		return nil
	}
	u, err := url.Parse(d.URL)
	if err != nil {
		return nil // Validate names the malformed URL
	}
	addr, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil
	}
	reason := policy.Refusal(addr)
	if reason == "" {
		return nil
	}
	return &FieldError{Field: "destination.url", Reason: fmt.Sprintf(
		"%s is an address the sender refuses (%s); sender.allow_networks can allow it", addr, reason)}
}

// validate is Validate with the store's reserved topics and address policy.
func (s *Store) validate(sub Subscription) error {
	err := validate(sub, s.transform, s.reserve)
	fe := checkAddress(s.addresses, sub.Destination)
	if fe == nil {
		return err
	}
	var v *ValidationError
	if errors.As(err, &v) {
		v.Problems = append(v.Problems, *fe)
		return v
	}
	return &ValidationError{Problems: []FieldError{*fe}}
}
