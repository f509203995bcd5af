package webhook_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestParseSecretAcceptsPrefixedAndBareBase64(t *testing.T) {
	t.Parallel()
	vectorKey, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	short := []byte("0123456789abcdefghijk") // 21 bytes: base64 needs padding
	tests := []struct {
		name string
		in   string
		want []byte
	}{
		{"prefixed", vectorSecret, vectorKey},
		{"bare", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", vectorKey},
		{"surrounding whitespace", " " + vectorSecret + "\n", vectorKey},
		{"padded", "whsec_" + base64.StdEncoding.EncodeToString(short), short},
		{"unpadded", "whsec_" + base64.RawStdEncoding.EncodeToString(short), short},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.ParseSecret(tt.in)
			if err != nil {
				t.Fatalf("ParseSecret: %v", err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Fatal("key mismatch")
			}
		})
	}
}

func TestParseSecretRejectsEmptyAndNonBase64WithoutEchoingInput(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"prefix only", "whsec_"},
		{"blank", "   "},
		{"not base64", "whsec_hunter2*hunter2"},
		{"bad padding", "whsec_hunter2hunter2==="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := webhook.ParseSecret(tt.in)
			if !errors.Is(err, webhook.ErrInvalidSecret) {
				t.Fatalf("err = %v, want ErrInvalidSecret", err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error %q echoes the secret", err)
			}
		})
	}
}

func TestNewSecretIsPrefixed32RandomBytes(t *testing.T) {
	t.Parallel()
	a, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a, webhook.SecretPrefix) {
		t.Fatalf("%q lacks whsec_ prefix", a)
	}
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key := mustSecret(t, a)
	if len(key) != 32 {
		t.Fatalf("key has %d bytes, want 32", len(key))
	}
}

func TestSecretNeverPrintsKey(t *testing.T) {
	t.Parallel()
	s := webhook.Secret("super-secret-key-bytes")
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "secret", s)
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("x", "secret", s)
	js, err := json.Marshal(struct{ S webhook.Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"String": s.String(), "%v": fmt.Sprintf("%v", s), "%+v": fmt.Sprintf("%+v", s),
		"%#v": fmt.Sprintf("%#v", s), "%s": fmt.Sprintf("%s", s), "%x": fmt.Sprintf("%x", s),
		"%d": fmt.Sprintf("%d", s), "%q": fmt.Sprintf("%q", s),
		"in struct": fmt.Sprintf("%+v", struct{ S webhook.Secret }{s}),
		"json":      string(js), "slog json": logged.String(), "slog text": text.String(),
	}
	leaks := []string{"super-secret", fmt.Sprintf("%x", []byte(s)), base64.StdEncoding.EncodeToString(s), "115 117 112"}
	for how, out := range outputs {
		for _, leak := range leaks {
			if strings.Contains(out, leak) {
				t.Errorf("%s leaks the key: %q", how, out)
			}
		}
		if !strings.Contains(out, "[redacted]") {
			t.Errorf("%s = %q, want [redacted]", how, out)
		}
	}
}
