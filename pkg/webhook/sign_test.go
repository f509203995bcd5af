package webhook_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestSignReproducesSpecificationVector(t *testing.T) {
	t.Parallel()
	got := webhook.Sign(mustSecret(t, vectorSecret), vectorMsgID, vectorTime, []byte(vectorBody))
	if got != vectorSignature {
		t.Fatalf("Sign = %q, want %q", got, vectorSignature)
	}
}

func TestSignerWithOneSecretReproducesSpecificationVector(t *testing.T) {
	t.Parallel()
	s, err := webhook.NewSigner(mustSecret(t, vectorSecret))
	if err != nil {
		t.Fatal(err)
	}
	// Twice: the second call reuses pooled HMAC state, which must be reset.
	for range 2 {
		if got := s.Sign(vectorMsgID, vectorTime, []byte(vectorBody)); got != vectorSignature {
			t.Fatalf("Sign = %q, want %q", got, vectorSignature)
		}
	}
}

func TestSignerListsOneSignaturePerSecretInOrder(t *testing.T) {
	t.Parallel()
	newer := freshSecret(t)
	s, err := webhook.NewSigner(newer, mustSecret(t, vectorSecret))
	if err != nil {
		t.Fatal(err)
	}
	got := s.Sign(vectorMsgID, vectorTime, []byte(vectorBody))
	want := webhook.Sign(newer, vectorMsgID, vectorTime, []byte(vectorBody)) + " " + vectorSignature
	if got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
}

func TestSignerCopiesSecrets(t *testing.T) {
	t.Parallel()
	secret := mustSecret(t, vectorSecret)
	s, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	secret[0] ^= 0xff
	if got := s.Sign(vectorMsgID, vectorTime, []byte(vectorBody)); got != vectorSignature {
		t.Fatalf("Sign after caller mutated its secret = %q, want %q", got, vectorSignature)
	}
}

func TestNewSignerRejectsNoOrEmptySecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		secrets []webhook.Secret
		want    error
	}{
		{"none", nil, webhook.ErrNoSecrets},
		{"empty one", []webhook.Secret{freshSecret(t), {}}, webhook.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := webhook.NewSigner(tt.secrets...); !errors.Is(err, tt.want) {
				t.Fatalf("NewSigner err = %v, want %v", err, tt.want)
			}
			if _, err := webhook.NewVerifier(tt.secrets, 0, nil); !errors.Is(err, tt.want) {
				t.Fatalf("NewVerifier err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestSignerIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	secret := freshSecret(t)
	s, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("msg_%d_%d", g, i)
				body := []byte(strings.Repeat("x", i))
				want := webhook.Sign(secret, id, vectorTime, body)
				if got := s.Sign(id, vectorTime, body); got != want {
					t.Errorf("%s: got %q, want %q", id, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSignedMessagesVerify(t *testing.T) {
	t.Parallel()
	secret := freshSecret(t)
	s, err := webhook.NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	v, err := webhook.NewVerifier([]webhook.Secret{secret}, 0, fixedClock(vectorTime))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, id, body string }{
		{"empty body", "msg_1", ""},
		{"long id", strings.Repeat("i", 300), "{}"},
		{"binary body", "msg_2", "\x00\xff.\n"},
		{"dots in id", "a.b.c", "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sig := s.Sign(tt.id, vectorTime, []byte(tt.body))
			id, err := v.Verify(webhook.Headers(tt.id, vectorTime, sig, false), []byte(tt.body))
			if err != nil || id != tt.id {
				t.Fatalf("Verify = %q, %v; want %q, nil", id, err, tt.id)
			}
		})
	}
}
