package webhook

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks text forms of an Ed25519 key pair: the signing key is
// "whsk_" and the base64 of its 32-byte seed, the public key "whpk_" and
// the base64 of its 32 bytes (the reference libraries' encoding).
const (
	SigningKeyPrefix = "whsk_"
	PublicKeyPrefix  = "whpk_"
)

// asymmetricPrefix marks an Ed25519 signature.
const asymmetricPrefix = "v1a,"

// encodedEd25519Len is base64.StdEncoding.EncodedLen(ed25519.SignatureSize).
const encodedEd25519Len = 88

// SigningKey is an Ed25519 private key. Like a Secret it never prints:
// fmt, encoding/json, zap and slog all see "[redacted]".
type SigningKey struct {
	key ed25519.PrivateKey
}

// PublicKey is an Ed25519 public key; it is no secret.
type PublicKey ed25519.PublicKey

// NewSigningKey returns a fresh key pair's signing key in text form
// ("whsk_…"); PublicKeyOf gives its public key.
func NewSigningKey() (string, error) {
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return "", fmt.Errorf("webhook: generate signing key: %w", err)
	}
	return SigningKeyPrefix + base64.StdEncoding.EncodeToString(seed), nil
}

// ParseSigningKey decodes "whsk_<base64 seed>" (the prefix is optional).
// The error never contains the key.
func ParseSigningKey(s string) (SigningKey, error) {
	seed, err := decodeKey(s, SigningKeyPrefix, ed25519.SeedSize)
	if err != nil {
		return SigningKey{}, fmt.Errorf("%w: signing key %w", ErrInvalidSecret, err)
	}
	return SigningKey{key: ed25519.NewKeyFromSeed(seed)}, nil
}

// ParsePublicKey decodes "whpk_<base64>" (the prefix is optional).
func ParsePublicKey(s string) (PublicKey, error) {
	raw, err := decodeKey(s, PublicKeyPrefix, ed25519.PublicKeySize)
	if err != nil {
		return nil, fmt.Errorf("%w: public key %w", ErrInvalidSecret, err)
	}
	return PublicKey(raw), nil
}

func decodeKey(s, prefix string, size int) ([]byte, error) {
	b64 := strings.TrimPrefix(strings.TrimSpace(s), prefix)
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(b64)
	}
	switch {
	case b64 == "":
		return nil, errors.New("is empty")
	case err != nil:
		return nil, errors.New("is not base64")
	case len(raw) != size:
		return nil, fmt.Errorf("must be %d bytes, got %d", size, len(raw))
	}
	return raw, nil
}

// Public returns k's public key.
func (k SigningKey) Public() PublicKey {
	if k.key == nil {
		return nil
	}
	return PublicKey(k.key.Public().(ed25519.PublicKey))
}

// IsZero reports whether k holds no key.
func (k SigningKey) IsZero() bool { return k.key == nil }

// Equal reports whether k and o are the same key.
func (k SigningKey) Equal(o SigningKey) bool { return k.key.Equal(o.key) }

// String returns "[redacted]", never the key.
func (SigningKey) String() string { return redacted }

// GoString returns "[redacted]", so %#v does not print the key either.
func (SigningKey) GoString() string { return redacted }

// Format prints "[redacted]" for every verb.
func (SigningKey) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText returns "[redacted]".
func (SigningKey) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// String returns the key's text form, "whpk_<base64>".
func (p PublicKey) String() string { return PublicKeyPrefix + base64.StdEncoding.EncodeToString(p) }

// PublicKeyOf returns the text form of the public key of a signing key in
// text form.
func PublicKeyOf(signingKey string) (string, error) {
	k, err := ParseSigningKey(signingKey)
	if err != nil {
		return "", err
	}
	return k.Public().String(), nil
}

// SignEd25519 returns "v1a,<base64 Ed25519(key, msgID.unix(ts).body)>", the
// Standard Webhooks asymmetric signature of one message.
func SignEd25519(key SigningKey, msgID string, ts time.Time, body []byte) string {
	return asymmetricPrefix + base64.StdEncoding.EncodeToString(ed25519.Sign(key.key, signedContent(msgID, ts.Unix(), body)))
}

// signedContent is "msgID.ts.body", the bytes every scheme signs.
func signedContent(msgID string, ts int64, body []byte) []byte {
	b := make([]byte, 0, len(msgID)+len(body)+22)
	b = append(b, msgID...)
	b = append(b, '.')
	b = strconv.AppendInt(b, ts, 10)
	b = append(b, '.')
	return append(b, body...)
}
