package subscription

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

var testKey = bytes.Repeat([]byte{7}, 32)

func testCipher(t *testing.T) *Cipher {
	t.Helper()
	c, err := NewCipher(base64.StdEncoding.EncodeToString(testKey))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewCipherAcceptsBase64AndHexOf32Bytes(t *testing.T) {
	tests := []struct {
		name, key string
		ok        bool
	}{
		{"base64", base64.StdEncoding.EncodeToString(testKey), true},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(testKey), true},
		{"hex", hex.EncodeToString(testKey), true},
		{"16 bytes", base64.StdEncoding.EncodeToString(testKey[:16]), false},
		{"empty", "", false},
		{"garbage", "not a key at all!", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewCipher(tc.key)
			if (err == nil) != tc.ok {
				t.Fatalf("NewCipher = %v, ok want %v", err, tc.ok)
			}
			if err != nil && tc.key != "" && strings.Contains(err.Error(), tc.key) {
				t.Fatal("error leaks the key")
			}
		})
	}
}

func TestCipherRoundTripsAndBindsTheID(t *testing.T) {
	c := testCipher(t)
	sealed, err := c.Seal("a", []byte("whsec_x"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("whsec_x")) {
		t.Fatal("sealed value contains the plaintext")
	}
	plain, err := c.Open("a", sealed)
	if err != nil || string(plain) != "whsec_x" {
		t.Fatalf("Open = %q, %v", plain, err)
	}
	if _, err := c.Open("b", sealed); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Open under another id = %v, want ErrDecrypt", err)
	}
	other, _ := NewCipher(hex.EncodeToString(bytes.Repeat([]byte{8}, 32)))
	if _, err := other.Open("a", sealed); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Open under another key = %v, want ErrDecrypt", err)
	}
	if _, err := c.Open("a", sealed[:5]); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("Open of a short value = %v, want ErrDecrypt", err)
	}
}
