package webhook_test

import (
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// The Standard Webhooks specification's published test vector, as used by
// the reference libraries' tests (libraries/go/webhook_test.go,
// TestWebhookSign, and the PHP, JavaScript and Python equivalents).
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorUnix      = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// otherSignature is the reference tests' well-formed non-matching entry.
	otherSignature = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

var vectorTime = time.Unix(vectorUnix, 0)

func mustSecret(t testing.TB, s string) webhook.Secret {
	t.Helper()
	secret, err := webhook.ParseSecret(s)
	if err != nil {
		t.Fatalf("ParseSecret: %v", err)
	}
	return secret
}

func freshSecret(t testing.TB) webhook.Secret {
	t.Helper()
	s, err := webhook.NewSecret()
	if err != nil {
		t.Fatalf("NewSecret: %v", err)
	}
	return mustSecret(t, s)
}

func fixedClock(ts time.Time) func() time.Time {
	return func() time.Time { return ts }
}
