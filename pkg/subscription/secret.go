package subscription

import (
	"fmt"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// secret is one decrypted signing secret of a subscription: an HMAC
// secret (key) or an Ed25519 signing key (signing).
type secret struct {
	key       webhook.Secret
	signing   webhook.SigningKey
	expiresAt time.Time // zero: the current secret
}

func (s secret) active(now time.Time) bool { return s.expiresAt.IsZero() || now.Before(s.expiresAt) }

// sealedSecret is a secret as stored in the subscriptions topic.
type sealedSecret struct {
	Sealed    []byte    `json:"sealed"`
	Scheme    string    `json:"scheme,omitempty"` // "" (HMAC) or SignatureEd25519
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// scheme is the Signature value the secret serves.
func (s sealedSecret) scheme() string {
	if s.Scheme == "" {
		return SignatureHMAC
	}
	return s.Scheme
}

// newSealedSecret mints a secret of scheme for id, returning the text
// shown to the subscriber once (an HMAC secret; "" for an Ed25519 key,
// whose public key is shown instead) and its sealed form.
func newSealedSecret(c *Cipher, id, scheme string, now time.Time) (string, sealedSecret, error) {
	mint, stored := webhook.NewSecret, ""
	if scheme == SignatureEd25519 {
		mint, stored = webhook.NewSigningKey, SignatureEd25519
	}
	text, err := mint()
	if err != nil {
		return "", sealedSecret{}, err
	}
	sealed, err := c.Seal(id, []byte(text))
	if err != nil {
		return "", sealedSecret{}, err
	}
	if stored != "" {
		text = ""
	}
	return text, sealedSecret{Sealed: sealed, Scheme: stored, CreatedAt: now}, nil
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
		sec, err := parseStoredSecret(s.scheme(), string(text))
		if err != nil {
			return nil, fmt.Errorf("subscription: stored secret of %s: %w", id, err)
		}
		sec.expiresAt = s.ExpiresAt
		out = append(out, sec)
	}
	return out, nil
}

func parseStoredSecret(scheme, text string) (secret, error) {
	if scheme == SignatureEd25519 {
		k, err := webhook.ParseSigningKey(text)
		return secret{signing: k}, err
	}
	key, err := webhook.ParseSecret(text)
	return secret{key: key}, err
}
