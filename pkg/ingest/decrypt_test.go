package ingest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/secret"
)

const testKey = "0123456789abcdef0123456789abcdef" // 32 bytes of text

// encrypt is Engage's scheme: URL-safe base64 of IV || AES-256-CBC(PKCS#7).
func encrypt(t *testing.T, key, plain []byte) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	n := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(bytes.Clone(plain), bytes.Repeat([]byte{byte(n)}, n)...)
	iv := []byte("fedcba9876543210")
	out := append(bytes.Clone(iv), make([]byte, len(padded))...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out[aes.BlockSize:], padded)
	return base64.URLEncoding.EncodeToString(out)
}

func TestEngageEncryptedPayload(t *testing.T) {
	t.Parallel()
	ct := encrypt(t, []byte(testKey), []byte(`{"contactId":"c-secret","contactType":"member"}`))
	body := []byte(`{"id":"enc-1","eventType":"contact.created","isEncrypted":true,"payload":"` + ct + `"}`)
	notJSON := []byte(`{"id":"enc-2","eventType":"contact.created","isEncrypted":true,"payload":"` + encrypt(t, []byte(testKey), []byte("not json")) + `"}`)
	cases := []struct {
		name      string
		key       string
		body      []byte
		wantTopic string
		wantKey   string
	}{
		{"decrypted with key", testKey, body, "engage.contact.created", "c-secret"},
		{"decrypted with base64 key", base64.StdEncoding.EncodeToString([]byte(testKey)), body, "engage.contact.created", "c-secret"},
		{"decrypted with hex key", hex.EncodeToString([]byte(testKey)), body, "engage.contact.created", "c-secret"},
		{"kept as ciphertext without key", "", body, "engage._unrecognized", ""},
		{"kept as ciphertext with wrong key", "ffffffffffffffffffffffffffffffff", body, "engage._unrecognized", ""},
		{"kept as ciphertext when plaintext is not json", testKey, notJSON, "engage._unrecognized", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *Config) { c.Engage.DecryptionKey = secret.String(tc.key) })
			w := f.serve(f.engageRequest("msg_enc", f.now, tc.body))
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			_, msgs := f.sink.Snapshot()
			if len(msgs) != 1 || msgs[0].Topic != tc.wantTopic || string(msgs[0].Key) != tc.wantKey {
				t.Fatalf("records %d topic %s key %q", len(msgs), msgs[0].Topic, msgs[0].Key)
			}
			ev, err := newSerde(t).Unmarshal(t.Context(), msgs[0].Value)
			if err != nil || !bytes.Equal(ev.Raw, tc.body) || !ev.IsEncrypted {
				t.Errorf("raw is not the envelope as received: %s (err %v, encrypted %v)", ev.Raw, err, ev.IsEncrypted)
			}
		})
	}
}

func TestConfigValidateNamesEveryBadKey(t *testing.T) {
	t.Parallel()
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := Config{Engage: EngageConfig{Secrets: []secret.String{"whsec_!!"}, DecryptionKey: "short"}}
	err := bad.Validate()
	for _, key := range []string{"ingest.max_body_bytes", "ingest.write_timeout", "ingest.dedup_window", "ingest.dedup_capacity",
		"ingest.max_batch", "ingest.engage.tolerance", "ingest.engage.secrets[0]", "ingest.engage.decryption_key"} {
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(key)) {
			t.Errorf("Validate does not name %s: %v", key, err)
		}
	}
}

func TestEngageWithoutSecretsRefusesEverything(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(c *Config) { c.Engage.Secrets = nil })
	w := f.serve(f.engageRequest("msg_1", f.now, example(t, "contact.deleted")))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", w.Code)
	}
}
