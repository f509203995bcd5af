package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ssrf := fmt.Errorf("delivery: post: %w", &webhook.AddressError{Reason: "loopback"})
	cases := []struct {
		name       string
		status     int
		retryAfter string
		err        error
		want       Outcome
	}{
		{"200", 200, "", nil, Outcome{Kind: Delivered, Class: "2xx"}},
		{"204", 204, "", nil, Outcome{Kind: Delivered, Class: "2xx"}},
		{"408", 408, "", nil, Outcome{Kind: Retry, Class: "408"}},
		{"429 with seconds", 429, "7", nil, Outcome{Kind: Retry, After: 7 * time.Second, Class: "429"}},
		{"503 with date", 503, now.Add(90 * time.Second).Format(http.TimeFormat), nil, Outcome{Kind: Retry, After: 90 * time.Second, Class: "5xx"}},
		{"Retry-After clamped up", 500, "0", nil, Outcome{Kind: Retry, After: time.Second, Class: "5xx"}},
		{"Retry-After clamped down", 500, "86400", nil, Outcome{Kind: Retry, After: time.Hour, Class: "5xx"}},
		{"Retry-After garbage ignored", 500, "soon", nil, Outcome{Kind: Retry, Class: "5xx"}},
		{"410", 410, "", nil, Outcome{Kind: Disable, Class: "gone"}},
		{"400", 400, "", nil, Outcome{Kind: DeadLetter, Class: "4xx"}},
		{"404", 404, "", nil, Outcome{Kind: DeadLetter, Class: "4xx"}},
		{"301", 301, "", nil, Outcome{Kind: DeadLetter, Class: "3xx"}},
		{"timeout", 0, "", fmt.Errorf("x: %w", context.DeadlineExceeded), Outcome{Kind: Retry, Class: "timeout"}},
		{"connection", 0, "", errors.New("connection refused"), Outcome{Kind: Retry, Class: "connection"}},
		{"ssrf", 0, "", ssrf, Outcome{Kind: DeadLetter, Class: "ssrf"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Classify(tc.status, tc.retryAfter, tc.err, now); got != tc.want {
				t.Fatalf("Classify = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestScheduleJitterStaysWithinBounds(t *testing.T) {
	t.Parallel()
	for _, r := range []float64{0, 0.5, 0.999999} {
		s := Schedule{Delays: []time.Duration{0, 100 * time.Second}, Jitter: 0.1, rand: func() float64 { return r }}
		d, ok := s.Next(1)
		if !ok || d < 90*time.Second || d > 110*time.Second {
			t.Fatalf("rand %g: Next = %s, %v; want within ±10%% of 100s", r, d, ok)
		}
		if _, ok := s.Next(2); ok {
			t.Fatal("Next after the last attempt should report none left")
		}
	}
}
