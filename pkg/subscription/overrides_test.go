package subscription_test

import (
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/subscription"
)

func TestOverridesAreBoundedAndNamed(t *testing.T) {
	t.Parallel()
	delays := func(ds ...time.Duration) []subscription.RetryDelay {
		out := make([]subscription.RetryDelay, len(ds))
		for i, d := range ds {
			out[i] = subscription.RetryDelay(d)
		}
		return out
	}
	cases := []struct {
		name   string
		mutate func(*subscription.Subscription)
		field  string // "" when valid
	}{
		{"schedule within bounds", func(s *subscription.Subscription) { s.RetrySchedule = delays(0, time.Second, 24*time.Hour) }, ""},
		{"no schedule: the sender's", func(s *subscription.Subscription) { s.RetrySchedule = nil }, ""},
		{"a delay over 24h", func(s *subscription.Subscription) { s.RetrySchedule = delays(0, 25*time.Hour) }, "retrySchedule[1]"},
		{"a negative delay", func(s *subscription.Subscription) { s.RetrySchedule = delays(-time.Second) }, "retrySchedule[0]"},
		{"too many attempts", func(s *subscription.Subscription) { s.RetrySchedule = make([]subscription.RetryDelay, 21) }, "retrySchedule"},
		{"schedule on a kafka destination", func(s *subscription.Subscription) {
			*s = subscription.KafkaSubForTest()
			s.RetrySchedule = delays(0)
		}, "retrySchedule"},
		{"maxInFlight at the bound", func(s *subscription.Subscription) { s.MaxInFlight = subscription.MaxInFlightLimit }, ""},
		{"maxInFlight over the bound", func(s *subscription.Subscription) { s.MaxInFlight = subscription.MaxInFlightLimit + 1 }, "maxInFlight"},
		{"no timeout: the sender's", func(s *subscription.Subscription) { s.Destination.Timeout = 0 }, ""},
		{"timeout too short", func(s *subscription.Subscription) {
			s.Destination.Timeout = subscription.Duration(500 * time.Millisecond)
		}, "destination.timeout"},
		{"timeout too long", func(s *subscription.Subscription) { s.Destination.Timeout = subscription.Duration(61 * time.Second) }, "destination.timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := subscription.WebhookSubForTest()
			tc.mutate(&s)
			err := subscription.Validate(s)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want valid", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.field+":") {
				t.Fatalf("Validate = %v, want a problem naming %s", err, tc.field)
			}
		})
	}
}

func TestRetryScheduleDecodesDurationsAndNamesABadOne(t *testing.T) {
	t.Parallel()
	s, err := subscription.Decode([]byte(`{"id":"a","eventTypes":["*"],"destination":{"type":"webhook","url":"https://x.example"},"retrySchedule":["0s","30s","1h"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.RetrySchedule) != 3 || s.RetrySchedule[1].Std() != 30*time.Second || s.RetrySchedule[2].Std() != time.Hour {
		t.Fatalf("retrySchedule = %v", s.RetrySchedule)
	}
	_, err = subscription.Decode([]byte(`{"id":"a","retrySchedule":["soon"]}`))
	if err == nil || !strings.HasPrefix(err.Error(), "retrySchedule:") {
		t.Fatalf("Decode of a bad delay = %v, want a problem naming retrySchedule", err)
	}
}
