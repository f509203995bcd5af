package subscription

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// ErrDecrypt reports a sealed secret that does not open under the key:
// auth.secret_key changed, or the record was tampered with.
var ErrDecrypt = errors.New("subscription: cannot decrypt secret (wrong auth.secret_key?)")

// Cipher seals signing secrets with AES-256-GCM. Each sealed value is
// nonce || ciphertext+tag, bound to the subscription id as additional data
// so a sealed secret cannot be copied onto another subscription.
type Cipher struct {
	aead cipher.AEAD
}

// NewCipher returns a Cipher for key: 32 bytes written as base64 (standard
// or URL alphabet, padded or not) or as 64 hex digits. The error never
// contains the key.
func NewCipher(key string) (*Cipher, error) {
	raw, err := parseKey(strings.TrimSpace(key))
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("subscription: secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("subscription: secret key: %w", err)
	}
	return &Cipher{aead: aead}, nil
}

func parseKey(key string) ([]byte, error) {
	if len(key) == 64 {
		if raw, err := hex.DecodeString(key); err == nil {
			return raw, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err := enc.DecodeString(key); err == nil && len(raw) == 32 {
			return raw, nil
		}
	}
	return nil, errors.New("subscription: secret key must be 32 bytes as base64 or 64 hex digits")
}

// Seal encrypts plaintext for subscription id.
func (c *Cipher) Seal(id string, plaintext []byte) ([]byte, error) {
	nonce := make([]byte, c.aead.NonceSize(), c.aead.NonceSize()+len(plaintext)+c.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("subscription: nonce: %w", err)
	}
	return c.aead.Seal(nonce, nonce, plaintext, []byte(id)), nil
}

// Open decrypts a value sealed for subscription id; it fails with
// ErrDecrypt when the key or the id differ.
func (c *Cipher) Open(id string, sealed []byte) ([]byte, error) {
	n := c.aead.NonceSize()
	if len(sealed) < n+c.aead.Overhead() {
		return nil, ErrDecrypt
	}
	plain, err := c.aead.Open(nil, sealed[:n], sealed[n:], []byte(id))
	if err != nil {
		return nil, ErrDecrypt
	}
	return plain, nil
}
