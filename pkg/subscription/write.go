package subscription

import (
	"context"
	"encoding/json"
	"fmt"
)

// Create stores a new subscription (defaults applied, then validated) and
// returns it with, for a webhook destination, its signing secret in text
// form — the only time the secret is shown. It fails with ErrExists if the
// id is taken, or a *ValidationError.
func (s *Store) Create(ctx context.Context, sub Subscription) (Subscription, string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	sub = sub.withDefaults()
	if err := s.validate(sub); err != nil {
		return Subscription{}, "", err
	}
	if _, err := s.Get(sub.ID); err == nil {
		return Subscription{}, "", fmt.Errorf("%w: %s", ErrExists, sub.ID)
	}
	now := s.now().UTC()
	sub.CreatedAt, sub.UpdatedAt, sub.DisabledReason = now, now, ""
	return s.store(ctx, sub, nil)
}

// Replace overwrites subscription id with sub (PUT semantics: absent fields
// take their defaults). CreatedAt and the signing secrets are kept; a
// secret is minted (and returned) if the destination becomes a webhook.
func (s *Store) Replace(ctx context.Context, id string, sub Subscription) (Subscription, string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.replaceLocked(ctx, id, sub)
}

// Patch applies a JSON merge patch (RFC 7386) to subscription id's JSON
// and stores the result, validated as a whole. Fields the store manages
// (createdAt, updatedAt, disabledReason) are ignored in the patch; id
// cannot change.
func (s *Store) Patch(ctx context.Context, id string, patch []byte) (Subscription, string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	cur, err := s.Get(id)
	if err != nil {
		return Subscription{}, "", err
	}
	doc, err := json.Marshal(cur)
	if err != nil {
		return Subscription{}, "", fmt.Errorf("subscription: patch %s: %w", id, err)
	}
	merged, err := mergePatch(doc, patch)
	if err != nil {
		return Subscription{}, "", err
	}
	next, err := Decode(merged)
	if err != nil {
		return Subscription{}, "", err
	}
	return s.replaceLocked(ctx, id, next)
}

func (s *Store) replaceLocked(ctx context.Context, id string, sub Subscription) (Subscription, string, error) {
	if sub.ID == "" {
		sub.ID = id
	}
	sub = sub.withDefaults()
	if sub.ID != id {
		return Subscription{}, "", &ValidationError{Problems: []FieldError{{Field: "id", Reason: fmt.Sprintf("cannot change (the path names %q)", id)}}}
	}
	s.mu.RLock()
	cur, ok := s.subs[id]
	s.mu.RUnlock()
	if !ok {
		return Subscription{}, "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	// secrets left out of the write keep their stored values
	sub.Destination.Auth = sub.Destination.Auth.withSecrets(cur.sub.auth.secrets())
	if err := s.validate(sub); err != nil {
		return Subscription{}, "", err
	}
	sub.CreatedAt, sub.UpdatedAt, sub.DisabledReason = cur.sub.CreatedAt, s.now().UTC(), cur.sub.DisabledReason
	if sub.Enabled {
		sub.DisabledReason = ""
	}
	return s.store(ctx, sub, cur.sealed)
}

// store writes sub with sealed, minting a secret when a webhook has none
// and dropping secrets from a kafka destination.
func (s *Store) store(ctx context.Context, sub Subscription, sealed []sealedSecret) (Subscription, string, error) {
	var text string
	switch {
	case !sub.Destination.IsWebhook():
		sealed = nil
	case len(sealed) == 0 || sealed[0].scheme() != sub.Signature:
		// a new webhook, or a change of scheme: the previous scheme's key
		// keeps signing for the grace period, as after a rotation
		now := s.now().UTC()
		t, fresh, err := newSealedSecret(s.cipher, sub.ID, sub.Signature, now)
		if err != nil {
			return Subscription{}, "", err
		}
		text, sealed = t, rotate(sealed, fresh, now, s.cfg.SecretGrace)
	}
	auth, err := sealAuth(s.cipher, sub.ID, sub.Destination.Auth)
	if err != nil {
		return Subscription{}, "", err
	}
	sub.Destination.Auth = sub.Destination.Auth.redacted()
	if err := s.put(ctx, sub, sealed, auth); err != nil {
		return Subscription{}, "", err
	}
	got, err := s.Get(sub.ID)
	return got, text, err
}

// put writes sub (its Destination.Auth without secrets) with its sealed
// signing secrets and sealed auth secrets.
func (s *Store) put(ctx context.Context, sub Subscription, sealed []sealedSecret, auth []byte) error {
	value, err := encodeRecord(sub, sealed, auth)
	if err != nil {
		return fmt.Errorf("subscription: encode %s: %w", sub.ID, err)
	}
	if err := s.journal.Put(ctx, []byte(sub.ID), value); err != nil {
		return fmt.Errorf("subscription: write %s: %w", sub.ID, err)
	}
	return nil
}

// RotateSecret makes a fresh signing secret (or Ed25519 key, by the
// subscription's Signature) current and returns an HMAC secret in text
// form (shown once; "" for a key: its public key is no secret). The previous secret keeps signing for
// subscriptions.secret_grace, so receivers can switch without losing a
// delivery. Kafka destinations have no secret: a *ValidationError.
func (s *Store) RotateSecret(ctx context.Context, id string) (Subscription, string, error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	cur, ok := s.subs[id]
	s.mu.RUnlock()
	if !ok {
		return Subscription{}, "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if !cur.sub.Destination.IsWebhook() {
		return Subscription{}, "", &ValidationError{Problems: []FieldError{{Field: "destination.type", Reason: "kafka destinations have no signing secret"}}}
	}
	now := s.now().UTC()
	text, fresh, err := newSealedSecret(s.cipher, id, cur.sub.Signature, now)
	if err != nil {
		return Subscription{}, "", err
	}
	sub := cur.sub.Clone()
	sub.UpdatedAt = now
	if err := s.put(ctx, sub, rotate(cur.sealed, fresh, now, s.cfg.SecretGrace), cur.auth); err != nil {
		return Subscription{}, "", err
	}
	got, err := s.Get(id)
	return got, text, err
}

// Disable turns subscription id off with a reason the API shows (the sender
// calls it when an endpoint answers 410 or fails for too long). Disabling a
// disabled subscription updates the reason.
func (s *Store) Disable(ctx context.Context, id, reason string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.RLock()
	cur, ok := s.subs[id]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	sub := cur.sub.Clone()
	sub.Enabled, sub.DisabledReason, sub.UpdatedAt = false, reason, s.now().UTC()
	return s.put(ctx, sub, cur.sealed, cur.auth)
}
