package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every secret in the Standard Webhooks text form.
const SecretPrefix = "whsec_"

// secretLen is the number of random bytes in a secret made by NewSecret.
const secretLen = 32

// redacted is what a Secret prints instead of its key.
const redacted = "[redacted]"

// ErrInvalidSecret reports a secret that is empty or not base64.
var ErrInvalidSecret = errors.New("webhook: invalid secret")

// Secret is an HMAC signing key. Its String, GoString, Format and MarshalText
// methods all print "[redacted]", so it cannot leak through logs, config
// dumps or JSON. It deliberately has no UnmarshalText: configuration holds
// the text form and calls ParseSecret.
type Secret []byte

// ParseSecret decodes "whsec_<base64>" or bare base64 (the prefix is
// optional, as in the reference libraries). Padding may be omitted.
// The error never contains the secret.
func ParseSecret(s string) (Secret, error) {
	b64 := strings.TrimPrefix(strings.TrimSpace(s), SecretPrefix)
	if b64 == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(b64)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrInvalidSecret)
	}
	return Secret(key), nil
}

// NewSecret returns a fresh secret in text form: "whsec_" followed by the
// base64 of 32 random bytes. It is returned to the subscriber once.
func NewSecret() (string, error) {
	key := make([]byte, secretLen)
	if _, err := rand.Read(key); err != nil {
		return "", fmt.Errorf("webhook: generate secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(key), nil
}

// String returns "[redacted]", never the key.
func (Secret) String() string { return redacted }

// GoString returns "[redacted]", so %#v does not print the key either.
func (Secret) GoString() string { return redacted }

// Format prints "[redacted]" for every verb, including %x and %d.
func (Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redacted)) }

// MarshalText returns "[redacted]", so encoding/json and slog do not
// base64-encode the key as they would any other []byte.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
