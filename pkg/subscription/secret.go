package subscription

import (
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// secret is one decrypted signing secret of a subscription.
type secret struct {
	key       webhook.Secret
	expiresAt time.Time // zero: the current secret
}

// sealedSecret is a secret as stored in the subscriptions topic.
type sealedSecret struct {
	Sealed    []byte    `json:"sealed"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// newSealedSecret mints a secret for id, returning its text form (shown to
// the subscriber once) and its sealed form.
func newSealedSecret(c *Cipher, id string, now time.Time) (string, sealedSecret, error) {
	text, err := webhook.NewSecret()
	if err != nil {
		return "", sealedSecret{}, err
	}
	sealed, err := c.Seal(id, []byte(text))
	if err != nil {
		return "", sealedSecret{}, err
	}
	return text, sealedSecret{Sealed: sealed, CreatedAt: now}, nil
}

// rotate returns the sealed secrets after making fresh the current one:
// the previous current secret expires at now+grace, already expired ones
// are dropped.
func rotate(old []sealedSecret, fresh sealedSecret, now time.Time, grace time.Duration) []sealedSecret {
	out := []sealedSecret{fresh}
	for _, s := range old {
		switch {
		case s.ExpiresAt.IsZero():
			s.ExpiresAt = now.Add(grace)
		case !now.Before(s.ExpiresAt):
			continue
		}
		out = append(out, s)
	}
	return out
}

// openSecrets decrypts sealed secrets for id.
func openSecrets(c *Cipher, id string, sealed []sealedSecret) ([]secret, error) {
	out := make([]secret, 0, len(sealed))
	for _, s := range sealed {
		text, err := c.Open(id, s.Sealed)
		if err != nil {
			return nil, err
		}
		key, err := webhook.ParseSecret(string(text))
		if err != nil {
			return nil, fmt.Errorf("subscription: stored secret of %s: %w", id, err)
		}
		out = append(out, secret{key: key, expiresAt: s.ExpiresAt})
	}
	return out, nil
}
