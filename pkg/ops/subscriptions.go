package ops

import (
	"context"
	"errors"
	"time"

	"github.com/engagehub/engagehub/pkg/subscription"
)

// WithSecret is a subscription as returned by create and rotate (and by
// replace or patch when they mint a secret): the signing secret is shown
// this once and never again.
type WithSecret struct {
	subscription.Subscription
	Secret string `json:"secret,omitempty"`
}

// Subscriptions lists every subscription, sorted by id.
func (s *Service) Subscriptions(_ context.Context) ([]subscription.Subscription, error) {
	return s.d.Store.List(), nil
}

// Subscription returns subscription id.
func (s *Service) Subscription(_ context.Context, id string) (subscription.Subscription, error) {
	sub, err := s.d.Store.Get(id)
	return sub, storeError(id, err)
}

// DecodeSubscription reads a subscription from the API's JSON (absent
// fields take their defaults); it does not validate (the writes do).
func DecodeSubscription(body []byte) (subscription.Subscription, error) {
	sub, err := subscription.Decode(body)
	return sub, storeError("", err)
}

// CreateSubscription validates and stores sub and mints its signing
// secret, returned this once. An id in use is a *Conflict.
func (s *Service) CreateSubscription(ctx context.Context, sub subscription.Subscription) (WithSecret, error) {
	return withSecret(sub.ID)(s.d.Store.Create(ctx, sub))
}

// UpdateSubscription replaces subscription id with sub (PUT semantics:
// absent fields take their defaults).
func (s *Service) UpdateSubscription(ctx context.Context, id string, sub subscription.Subscription) (WithSecret, error) {
	return withSecret(id)(s.d.Store.Replace(ctx, id, sub))
}

// PatchSubscription applies a JSON merge patch (RFC 7396) to subscription id.
func (s *Service) PatchSubscription(ctx context.Context, id string, patch []byte) (WithSecret, error) {
	return withSecret(id)(s.d.Store.Patch(ctx, id, patch))
}

// EnableSubscription turns subscription id on (clearing why it was
// disabled); enabling an enabled one changes nothing.
func (s *Service) EnableSubscription(ctx context.Context, id string) (subscription.Subscription, error) {
	out, err := s.PatchSubscription(ctx, id, []byte(`{"enabled":true}`))
	return out.Subscription, err
}

// DisableSubscription turns subscription id off with reason (default
// "disabled by an operator"), which the API shows until it is enabled.
func (s *Service) DisableSubscription(ctx context.Context, id, reason string) (subscription.Subscription, error) {
	if reason == "" {
		reason = "disabled by an operator"
	}
	if err := s.d.Store.Disable(ctx, id, reason); err != nil {
		return subscription.Subscription{}, storeError(id, err)
	}
	return s.Subscription(ctx, id)
}

// DeleteSubscription deletes subscription id; its delivery topic is
// deleted after a grace period.
func (s *Service) DeleteSubscription(ctx context.Context, id string) error {
	return storeError(id, s.d.Store.Delete(ctx, id))
}

// RotateSecret mints a new signing secret for subscription id, returned
// this once; the old one keeps signing for the grace period.
func (s *Service) RotateSecret(ctx context.Context, id string) (WithSecret, error) {
	return withSecret(id)(s.d.Store.RotateSecret(ctx, id))
}

func withSecret(id string) func(subscription.Subscription, string, error) (WithSecret, error) {
	return func(sub subscription.Subscription, secret string, err error) (WithSecret, error) {
		if err != nil {
			return WithSecret{}, storeError(id, err)
		}
		return WithSecret{Subscription: sub, Secret: secret}, nil
	}
}

// storeError maps a subscription.Store error to this package's types; an
// unexpected one is the store (Kafka) being away.
func storeError(id string, err error) error {
	var verr *subscription.ValidationError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &verr):
		return &Invalid{Field: firstField(verr), Message: trimField(verr), Code: "invalid_subscription"}
	case errors.Is(err, subscription.ErrMalformed):
		return &Malformed{Field: "body", Message: err.Error(), Code: "malformed_json"}
	case errors.Is(err, subscription.ErrNotFound):
		return &NotFound{What: "subscription", ID: id}
	case errors.Is(err, subscription.ErrExists):
		return &Conflict{Code: "subscription_exists", Message: err.Error()}
	case errors.Is(err, context.Canceled):
		return &Unavailable{Code: "canceled", Message: "request canceled", Err: err}
	}
	return &Unavailable{Code: "store_unavailable", Message: "the subscription store is unavailable; retry", RetryAfter: 5 * time.Second, Err: err}
}

// firstField is the field of a single-problem validation error; "" when
// several fields are wrong (the message names each).
func firstField(verr *subscription.ValidationError) string {
	if len(verr.Problems) == 1 {
		return verr.Problems[0].Field
	}
	return ""
}

func trimField(verr *subscription.ValidationError) string {
	if len(verr.Problems) == 1 {
		return verr.Problems[0].Reason
	}
	return verr.Error()
}
