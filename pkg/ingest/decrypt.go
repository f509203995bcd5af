package ingest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// errDecrypt reports a payload that the key does not decrypt to a JSON object.
var errDecrypt = errors.New("ingest: cannot decrypt payload")

// parseKey reads an AES-256 key: 32 bytes of text, or base64 / hex of 32 bytes.
func parseKey(s string) ([]byte, error) {
	if len(s) == 32 {
		return []byte(s), nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	return nil, fmt.Errorf("must be 32 bytes as text, base64 or hex (got %d characters)", len(s))
}

// decryptor opens Engage's encrypted payloads: URL-safe base64 of the
// 16-byte IV followed by AES-256-CBC ciphertext with PKCS#7 padding.
type decryptor struct {
	block cipher.Block
}

func newDecryptor(key string) (*decryptor, error) {
	if key == "" {
		return nil, nil
	}
	k, err := parseKey(key)
	if err != nil {
		return nil, fmt.Errorf("ingest: ingest.engage.decryption_key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("ingest: ingest.engage.decryption_key: %w", err)
	}
	return &decryptor{block: block}, nil
}

// payload decrypts a JSON string holding the ciphertext and returns the
// plaintext's top-level fields.
func (d *decryptor) payload(v json.RawMessage) (map[string]json.RawMessage, error) {
	var text string
	if err := json.Unmarshal(v, &text); err != nil {
		return nil, errDecrypt
	}
	data, err := decodeBase64(text)
	if err != nil || len(data) < 2*aes.BlockSize || len(data)%aes.BlockSize != 0 {
		return nil, errDecrypt
	}
	iv, ct := data[:aes.BlockSize], data[aes.BlockSize:]
	cipher.NewCBCDecrypter(d.block, iv).CryptBlocks(ct, ct)
	plain, ok := unpad(ct)
	if !ok {
		return nil, errDecrypt
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(plain, &fields); err != nil || fields == nil {
		return nil, errDecrypt
	}
	return fields, nil
}

func decodeBase64(s string) ([]byte, error) {
	var err error
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		var b []byte
		if b, err = enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, err
}

func unpad(b []byte) ([]byte, bool) {
	n := int(b[len(b)-1])
	if n == 0 || n > aes.BlockSize || n > len(b) {
		return nil, false
	}
	if !bytes.Equal(b[len(b)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, false
	}
	return b[:len(b)-n], true
}
