package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// vectorHeaders returns the specification vector's headers under the
// webhook-* names, or the svix-* names when svix is true.
func vectorHeaders(svix bool) http.Header {
	h := http.Header{}
	if svix {
		h.Set("svix-id", vectorMsgID)
		h.Set("svix-timestamp", strconv.Itoa(vectorUnix))
		h.Set("svix-signature", vectorSignature)
		return h
	}
	h.Set("webhook-id", vectorMsgID)
	h.Set("webhook-timestamp", strconv.Itoa(vectorUnix))
	h.Set("webhook-signature", vectorSignature)
	return h
}

func TestVerifySpecificationVector(t *testing.T) {
	t.Parallel()
	other := freshSecret(t)
	tests := []struct {
		name    string
		secrets []string            // default: the vector's
		clock   time.Duration       // offset of now from the vector's timestamp
		edit    func(h http.Header) // changes to the vector's webhook-* headers
		body    string              // default: the vector's
		want    error
	}{
		{name: "accepted"},
		{name: "accepted under svix names", edit: func(h http.Header) { copyHeaders(h, vectorHeaders(true)) }},
		{name: "accepted with bare base64 secret", secrets: []string{"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
		{name: "accepted by the old secret during rotation", secrets: []string{textSecret(other), vectorSecret}},
		{name: "accepted at the old edge of tolerance", clock: 5 * time.Minute},
		{name: "accepted at the new edge of tolerance", clock: -5 * time.Minute},
		{name: "accepted when one of several signatures matches", edit: setSig(
			otherSignature + " v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " + vectorSignature + " " + otherSignature)},
		{name: "accepted with extra spaces", edit: setSig("  v1,bm9wZQ==   " + vectorSignature + "  ")},
		{name: "tampered body", body: `{"test": 2432232315}`, want: webhook.ErrInvalidSignature},
		{name: "tampered id", edit: set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJeK"), want: webhook.ErrInvalidSignature},
		{name: "tampered timestamp", edit: set("webhook-timestamp", "1614265331"), want: webhook.ErrInvalidSignature},
		{name: "wrong secret", secrets: []string{textSecret(other)}, want: webhook.ErrInvalidSignature},
		{name: "stale timestamp", clock: 5*time.Minute + time.Second, want: webhook.ErrTimestampTooOld},
		{name: "future timestamp", clock: -5*time.Minute - time.Second, want: webhook.ErrTimestampTooNew},
		{name: "only non-matching signatures", edit: setSig(otherSignature + " v1,bm9wZQ=="), want: webhook.ErrInvalidSignature},
		{name: "matching bytes under another version", edit: setSig("v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), want: webhook.ErrInvalidSignature},
		{name: "malformed entries", edit: setSig("v1 , ,,, v1,"), want: webhook.ErrInvalidSignature},
		{name: "signature without version", edit: setSig("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="), want: webhook.ErrInvalidSignature},
		{name: "missing id", edit: del("webhook-id"), want: webhook.ErrMissingHeaders},
		{name: "missing timestamp", edit: del("webhook-timestamp"), want: webhook.ErrMissingHeaders},
		{name: "missing signature", edit: del("webhook-signature"), want: webhook.ErrMissingHeaders},
		{name: "no headers", edit: func(h http.Header) { clear(h) }, want: webhook.ErrMissingHeaders},
		{name: "families mixed", edit: func(h http.Header) {
			h.Del("webhook-timestamp")
			h.Set("svix-timestamp", strconv.Itoa(vectorUnix))
		}, want: webhook.ErrMissingHeaders},
		{name: "fractional timestamp", edit: set("webhook-timestamp", "1614265330.5"), want: webhook.ErrInvalidTimestamp},
		{name: "non-numeric timestamp", edit: set("webhook-timestamp", "yesterday"), want: webhook.ErrInvalidTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := vectorVerifier(t, tt.secrets, tt.clock)
			h := vectorHeaders(false)
			if tt.edit != nil {
				tt.edit(h)
			}
			body := vectorBody
			if tt.body != "" {
				body = tt.body
			}
			id, err := v.Verify(h, []byte(body))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify err = %v, want %v", err, tt.want)
			}
			if err == nil && id != vectorMsgID {
				t.Fatalf("Verify id = %q, want %q", id, vectorMsgID)
			}
			if err != nil && id != "" {
				t.Fatalf("Verify returned id %q with error", id)
			}
		})
	}
}

func TestVerifyHonoursCustomTolerance(t *testing.T) {
	t.Parallel()
	now := vectorTime.Add(61 * time.Second)
	v, err := webhook.NewVerifier([]webhook.Secret{mustSecret(t, vectorSecret)}, time.Minute, fixedClock(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(vectorHeaders(false), []byte(vectorBody)); !errors.Is(err, webhook.ErrTimestampTooOld) {
		t.Fatalf("err = %v, want ErrTimestampTooOld", err)
	}
}

func TestVerifyErrorsArePackagePrefixed(t *testing.T) {
	t.Parallel()
	for _, err := range []error{webhook.ErrMissingHeaders, webhook.ErrInvalidSignature,
		webhook.ErrTimestampTooOld, webhook.ErrTimestampTooNew, webhook.ErrInvalidTimestamp} {
		if msg := err.Error(); len(msg) < 9 || msg[:9] != "webhook: " {
			t.Errorf("%q lacks the webhook: prefix", msg)
		}
	}
}

func vectorVerifier(t *testing.T, secrets []string, clock time.Duration) *webhook.Verifier {
	t.Helper()
	if secrets == nil {
		secrets = []string{vectorSecret}
	}
	keys := make([]webhook.Secret, len(secrets))
	for i, s := range secrets {
		keys[i] = mustSecret(t, s)
	}
	v, err := webhook.NewVerifier(keys, 0, fixedClock(vectorTime.Add(clock)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// textSecret returns s in "whsec_" text form.
func textSecret(s webhook.Secret) string {
	return webhook.SecretPrefix + base64.StdEncoding.EncodeToString(s)
}

func set(k, v string) func(http.Header) { return func(h http.Header) { h.Set(k, v) } }

func del(k string) func(http.Header) { return func(h http.Header) { h.Del(k) } }

func setSig(v string) func(http.Header) { return set("webhook-signature", v) }

// copyHeaders replaces dst's contents with src's.
func copyHeaders(dst, src http.Header) {
	clear(dst)
	for k, v := range src {
		dst[k] = v
	}
}
