package webhook_test

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// benchBody is the size of a typical Engage envelope.
var benchBody = bytes.Repeat([]byte("x"), 1024)

// BenchmarkSign is the unpooled baseline: a fresh HMAC per call.
func BenchmarkSign(b *testing.B) {
	secret := freshSecret(b)
	b.ReportAllocs()
	for b.Loop() {
		_ = webhook.Sign(secret, vectorMsgID, vectorTime, benchBody)
	}
}

func BenchmarkSignerSign(b *testing.B) {
	for _, n := range []int{1, 2} {
		secrets := make([]webhook.Secret, n)
		for i := range secrets {
			secrets[i] = freshSecret(b)
		}
		s, err := webhook.NewSigner(secrets...)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(map[int]string{1: "one-secret", 2: "two-secrets"}[n], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = s.Sign(vectorMsgID, vectorTime, benchBody)
			}
		})
	}
}

func BenchmarkSignerSignParallel(b *testing.B) {
	s, err := webhook.NewSigner(freshSecret(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = s.Sign(vectorMsgID, vectorTime, benchBody)
		}
	})
}

func BenchmarkSetHeaders(b *testing.B) {
	h := make(http.Header, 8)
	b.ReportAllocs()
	for b.Loop() {
		webhook.SetHeaders(h, vectorMsgID, vectorTime, vectorSignature, true)
	}
}

func BenchmarkVerify(b *testing.B) {
	secret := freshSecret(b)
	s, _ := webhook.NewSigner(secret)
	v, err := webhook.NewVerifier([]webhook.Secret{freshSecret(b), secret}, 0, fixedClock(vectorTime))
	if err != nil {
		b.Fatal(err)
	}
	h := webhook.Headers(vectorMsgID, vectorTime, s.Sign(vectorMsgID, vectorTime, benchBody), true)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(h, benchBody); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignerEd25519 is one v1a signature of a typical envelope.
func BenchmarkSignerEd25519(b *testing.B) {
	k, err := webhook.ParseSigningKey(vectorSigningKey)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := webhook.NewKeySigner(nil, []webhook.SigningKey{k})
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Sign(vectorMsgID, vectorTime, benchBody)
	}
}
