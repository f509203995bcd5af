package receiver

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

var secret = webhook.Secret("receiver-test-secret-0123456789ab")

// post sends body as message id, signed with signer (unsigned when nil).
func post(t *testing.T, url, id string, body []byte, signer *webhook.Signer) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if signer != nil {
		now := time.Now()
		webhook.SetHeaders(req.Header, id, now, signer.Sign(id, now, body), false)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func newServer(t *testing.T, opts Options) (*Receiver, string) {
	t.Helper()
	v, err := webhook.NewVerifier([]webhook.Secret{secret}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts.Verifier = v
	r := New(opts)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func TestVerificationDecidesTheAnswer(t *testing.T) {
	t.Parallel()
	good, _ := webhook.NewSigner(secret)
	bad, _ := webhook.NewSigner(webhook.Secret("another-secret-0123456789abcdefgh"))
	cases := []struct {
		name     string
		signer   *webhook.Signer
		status   int
		verified bool
	}{
		{"right secret", good, http.StatusNoContent, true},
		{"wrong secret", bad, http.StatusUnauthorized, false},
		{"unsigned", nil, http.StatusUnauthorized, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, url := newServer(t, Options{})
			if got := post(t, url, "msg_1", []byte(`{"a":1}`), tc.signer); got != tc.status {
				t.Fatalf("status = %d, want %d", got, tc.status)
			}
			a := r.Arrivals()
			if len(a) != 1 || a[0].Verified != tc.verified || a[0].Status != tc.status || (a[0].Err == nil) != tc.verified {
				t.Fatalf("arrival = %+v", a)
			}
		})
	}
}

func TestScriptSeesAttemptNumbersPerMessage(t *testing.T) {
	t.Parallel()
	script := func(a Arrival) (int, http.Header) {
		if a.Attempt < 3 {
			return 503, http.Header{"Retry-After": {"1"}}
		}
		return 200, nil
	}
	r, url := newServer(t, Options{Script: script})
	signer, _ := webhook.NewSigner(secret)
	var got []int
	for _, id := range []string{"msg_a", "msg_a", "msg_b", "msg_a"} {
		got = append(got, post(t, url, id, []byte(`{}`), signer))
	}
	if fmt.Sprint(got) != "[503 503 503 200]" {
		t.Fatalf("statuses = %v, want [503 503 503 200]", got)
	}
	var attempts []int
	for _, a := range r.Arrivals() {
		attempts = append(attempts, a.Attempt)
	}
	if fmt.Sprint(attempts) != "[1 2 1 3]" {
		t.Fatalf("attempts = %v, want [1 2 1 3]", attempts)
	}
}

func TestKeepBoundsTheArrivalsHeld(t *testing.T) {
	t.Parallel()
	r, url := newServer(t, Options{Keep: 5})
	signer, _ := webhook.NewSigner(secret)
	for i := range 23 {
		post(t, url, fmt.Sprintf("msg_%d", i), []byte(`{}`), signer)
		if n := len(r.Arrivals()); n > 10 {
			t.Fatalf("after %d arrivals %d are held, want at most 2×Keep", i+1, n)
		}
	}
	a := r.Arrivals()
	if len(a) < 5 || a[len(a)-1].MsgID != "msg_22" {
		t.Fatalf("held %d arrivals ending %q, want at least the newest 5 ending msg_22", len(a), a[len(a)-1].MsgID)
	}
}

func TestWaitReturnsWhenTheConditionHoldsOrTimesOut(t *testing.T) {
	t.Parallel()
	r, url := newServer(t, Options{})
	signer, _ := webhook.NewSigner(secret)
	done := make(chan bool, 1)
	go func() { done <- r.Wait(10*time.Second, func(a []Arrival) bool { return len(a) == 2 }) }()
	post(t, url, "msg_1", []byte(`{}`), signer)
	post(t, url, "msg_2", []byte(`{}`), signer)
	if !<-done {
		t.Fatal("Wait did not see the second arrival")
	}
	if r.Wait(20*time.Millisecond, func(a []Arrival) bool { return len(a) == 3 }) {
		t.Fatal("Wait reported a condition that never held")
	}
}
