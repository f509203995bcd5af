package webhook_test

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// The Standard Webhooks reference libraries' v1a vector
// (libraries/go/webhook_asymmetric_test.go, TestAsymmetricWebhookSign):
// Ed25519 is deterministic, so the signature is fixed.
const (
	vectorSigningKey = "whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="
	vectorV1a        = "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="
	// otherV1a is a well-formed v1a entry under no key.
	otherV1a = "v1a,WEJDT1qnnKJ7iY0B12kxR40iNl6k4CxSO6GV0hLbvI3eTxyBD2S1Jm5t+DJv0OwS+1CA6KUZJVMH5yUMVJZ3Bg=="
)

func mustSigningKey(t testing.TB, s string) webhook.SigningKey {
	t.Helper()
	k, err := webhook.ParseSigningKey(s)
	if err != nil {
		t.Fatalf("ParseSigningKey: %v", err)
	}
	return k
}

func TestSignEd25519ReproducesSpecificationVector(t *testing.T) {
	t.Parallel()
	for _, key := range []string{vectorSigningKey, strings.TrimPrefix(vectorSigningKey, webhook.SigningKeyPrefix)} {
		got := webhook.SignEd25519(mustSigningKey(t, key), vectorMsgID, vectorTime, []byte(vectorBody))
		if got != vectorV1a {
			t.Fatalf("SignEd25519(%.10s…) = %q, want %q", key, got, vectorV1a)
		}
	}
}

func v1aHeaders(sig string) http.Header {
	return webhook.Headers(vectorMsgID, vectorTime, sig, false)
}

func keyVerifier(t *testing.T, secrets []webhook.Secret, keys ...webhook.PublicKey) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewKeyVerifier(secrets, keys, 0, fixedClock(vectorTime))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifierAcceptsSpecificationV1aVector(t *testing.T) {
	t.Parallel()
	pub := mustSigningKey(t, vectorSigningKey).Public()
	parsed, err := webhook.ParsePublicKey(pub.String())
	if err != nil {
		t.Fatal(err)
	}
	v := keyVerifier(t, nil, parsed)
	cases := []struct {
		name string
		sig  string
		body string
		want error
	}{
		{"the vector", vectorV1a, vectorBody, nil},
		{"among other versions", "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc " + vectorV1a, vectorBody, nil},
		{"another signature", otherV1a, vectorBody, webhook.ErrInvalidSignature},
		{"truncated", "v1a,", vectorBody, webhook.ErrInvalidSignature},
		{"not base64", "v1a,!!!", vectorBody, webhook.ErrInvalidSignature},
		{"the vector as v1", "v1," + strings.TrimPrefix(vectorV1a, "v1a,"), vectorBody, webhook.ErrInvalidSignature},
		{"tampered body", vectorV1a, vectorBody + " ", webhook.ErrInvalidSignature},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := v.Verify(v1aHeaders(c.sig), []byte(c.body))
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestKeySignerWithKeysOnlySignsV1aOnly(t *testing.T) {
	t.Parallel()
	s, err := webhook.NewKeySigner(nil, []webhook.SigningKey{mustSigningKey(t, vectorSigningKey)})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Sign(vectorMsgID, vectorTime, []byte(vectorBody)); got != vectorV1a {
		t.Fatalf("Sign = %q, want %q", got, vectorV1a)
	}
}

func TestKeySignerSignsWithEveryKeyHMACFirst(t *testing.T) {
	t.Parallel()
	fresh, err := webhook.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	newer, older := mustSigningKey(t, fresh), mustSigningKey(t, vectorSigningKey)
	s, err := webhook.NewKeySigner([]webhook.Secret{mustSecret(t, vectorSecret)}, []webhook.SigningKey{newer, older})
	if err != nil {
		t.Fatal(err)
	}
	got := s.Sign(vectorMsgID, vectorTime, []byte(vectorBody))
	want := vectorSignature + " " + webhook.SignEd25519(newer, vectorMsgID, vectorTime, []byte(vectorBody)) + " " + vectorV1a
	if got != want {
		t.Fatalf("Sign = %q\nwant   %q", got, want)
	}
	// A receiver holding only the older public key still verifies (rotation).
	if _, err := keyVerifier(t, nil, older.Public()).Verify(v1aHeaders(got), []byte(vectorBody)); err != nil {
		t.Fatalf("older key: %v", err)
	}
	if _, err := keyVerifier(t, []webhook.Secret{mustSecret(t, vectorSecret)}).Verify(v1aHeaders(got), []byte(vectorBody)); err != nil {
		t.Fatalf("hmac secret: %v", err)
	}
}

func TestKeyConstructorsRefuseNothingAndBadKeys(t *testing.T) {
	t.Parallel()
	if _, err := webhook.NewKeySigner(nil, nil); !errors.Is(err, webhook.ErrNoSecrets) {
		t.Errorf("NewKeySigner() = %v, want ErrNoSecrets", err)
	}
	if _, err := webhook.NewKeySigner(nil, []webhook.SigningKey{{}}); !errors.Is(err, webhook.ErrInvalidSecret) {
		t.Errorf("NewKeySigner(zero key) = %v, want ErrInvalidSecret", err)
	}
	if _, err := webhook.NewKeyVerifier(nil, nil, 0, nil); !errors.Is(err, webhook.ErrNoSecrets) {
		t.Errorf("NewKeyVerifier() = %v, want ErrNoSecrets", err)
	}
	for _, bad := range []string{"", "whsk_", "whsk_!!", "whsk_" + strings.Repeat("A", 20)} {
		if _, err := webhook.ParseSigningKey(bad); !errors.Is(err, webhook.ErrInvalidSecret) {
			t.Errorf("ParseSigningKey(%q) = %v, want ErrInvalidSecret", bad, err)
		}
		if _, err := webhook.ParsePublicKey(strings.Replace(bad, "whsk_", "whpk_", 1)); !errors.Is(err, webhook.ErrInvalidSecret) {
			t.Errorf("ParsePublicKey(%q) = %v, want ErrInvalidSecret", bad, err)
		}
	}
}

func TestSigningKeyNeverPrints(t *testing.T) {
	t.Parallel()
	text, err := webhook.NewSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	k := mustSigningKey(t, text)
	seed := strings.TrimPrefix(text, webhook.SigningKeyPrefix)
	for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%#v %x %s", k, k, k), fmt.Sprintf("%v", struct{ K webhook.SigningKey }{k})} {
		if strings.Contains(out, seed[:16]) || !strings.Contains(out, "[redacted]") {
			t.Fatalf("printed %q", out)
		}
	}
	pub, err := webhook.PublicKeyOf(text)
	if err != nil || !strings.HasPrefix(pub, webhook.PublicKeyPrefix) || pub != k.Public().String() {
		t.Fatalf("PublicKeyOf = %q, %v", pub, err)
	}
}

func TestVerifierChecksTimestampForV1a(t *testing.T) {
	t.Parallel()
	k := mustSigningKey(t, vectorSigningKey)
	v, err := webhook.NewKeyVerifier(nil, []webhook.PublicKey{k.Public()}, time.Minute, fixedClock(vectorTime.Add(2*time.Minute)))
	if err != nil {
		t.Fatal(err)
	}
	h := v1aHeaders(vectorV1a)
	if _, err := v.Verify(h, []byte(vectorBody)); !errors.Is(err, webhook.ErrTimestampTooOld) {
		t.Fatalf("Verify = %v, want ErrTimestampTooOld (ts %s)", err, strconv.Itoa(vectorUnix))
	}
}
