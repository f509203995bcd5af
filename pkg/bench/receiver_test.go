package bench

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// newSecret returns a fresh webhook secret.
func newSecret(t *testing.T) webhook.Secret {
	t.Helper()
	text, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	s, err := webhook.ParseSecret(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// deliver POSTs body to url signed with secret (nil: unsigned) and returns the status.
func deliver(t *testing.T, url string, secret webhook.Secret, id string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != nil {
		ts := time.Now()
		webhook.SetHeaders(req.Header, id, ts, webhook.Sign(secret, id, ts, body), false)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestReceiverVerifiesRecordsFirstArrivalsAndCountsDuplicates(t *testing.T) {
	t.Parallel()
	recv := NewReceiver(ReceiverOptions{Endpoints: 2, Verify: true}, NewClock(nil))
	srv := httptest.NewServer(recv)
	defer srv.Close()
	s0, s1 := newSecret(t), newSecret(t)
	_ = recv.Endpoints[0].SetSecret(s0)
	_ = recv.Endpoints[1].SetSecret(s1)
	env := NewEnvelopes("run", 3, 0)
	e5 := env.Append(nil, kindLoad, 5)

	steps := []struct {
		name   string
		path   string
		secret webhook.Secret
		body   []byte
		want   int
	}{
		{"first delivery", "/hook/0", s0, e5, 200},
		{"retry of it", "/hook/0", s0, e5, 200},
		{"same event, other endpoint", "/hook/1", s1, e5, 200},
		{"signed with the other endpoint's secret", "/hook/1", s0, env.Append(nil, kindLoad, 6), 401},
		{"unsigned", "/hook/0", nil, env.Append(nil, kindLoad, 7), 401},
		{"signed but no event id", "/hook/0", s0, []byte(`{"x":1}`), 400},
		{"warm-up probe", "/hook/0", s0, env.Append(nil, kindWarmup, 2), 200},
		{"unknown endpoint", "/hook/9", s0, e5, 404},
	}
	for _, s := range steps {
		if got := deliver(t, srv.URL+s.path, s.secret, "msg_1", s.body); got != s.want {
			t.Fatalf("%s: status %d, want %d", s.name, got, s.want)
		}
	}
	ep0, ep1 := recv.Endpoints[0], recv.Endpoints[1]
	if ep0.Delivered() != 1 || ep0.Duplicates() != 1 || ep0.Rejected() != 2 {
		t.Errorf("endpoint 0: delivered %d, duplicates %d, rejected %d; want 1, 1, 2", ep0.Delivered(), ep0.Duplicates(), ep0.Rejected())
	}
	if ep1.Delivered() != 1 || ep1.Duplicates() != 0 || ep1.Rejected() != 1 {
		t.Errorf("endpoint 1: delivered %d, duplicates %d, rejected %d; want 1, 0, 1", ep1.Delivered(), ep1.Duplicates(), ep1.Rejected())
	}
	if ep0.Arrival(5) == 0 || ep0.Arrival(6) != 0 || ep0.Arrival(7) != 0 {
		t.Errorf("arrivals 5, 6, 7 = %d, %d, %d; want set, 0, 0", ep0.Arrival(5), ep0.Arrival(6), ep0.Arrival(7))
	}
	if !ep0.WarmedUp(2) || ep0.WarmedUp(3) || ep1.WarmedUp(0) {
		t.Error("warm-up probe 2 should count for endpoint 0 only, and only up to 2")
	}
}

func TestReceiverWithoutVerificationAcceptsUnsignedDeliveries(t *testing.T) {
	t.Parallel()
	recv := NewReceiver(ReceiverOptions{Endpoints: 1, Verify: false}, NewClock(nil))
	srv := httptest.NewServer(recv)
	defer srv.Close()
	if got := deliver(t, srv.URL+"/hook/0", nil, "", NewEnvelopes("r", 1, 0).Append(nil, kindLoad, 0)); got != 200 {
		t.Fatalf("status %d, want 200", got)
	}
	if recv.Endpoints[0].Delivered() != 1 {
		t.Fatalf("delivered %d, want 1", recv.Endpoints[0].Delivered())
	}
}

func TestFailingEndpointsAnswer503AndSlowOnesWait(t *testing.T) {
	t.Parallel()
	recv := NewReceiver(ReceiverOptions{Endpoints: 3, Failing: 1, Slow: 1, Delay: 50 * time.Millisecond}, NewClock(nil))
	srv := httptest.NewServer(recv)
	defer srv.Close()
	body := NewEnvelopes("r", 1, 0).Append(nil, kindLoad, 0)
	if got := deliver(t, srv.URL+"/hook/2", nil, "", body); got != 503 {
		t.Fatalf("failing endpoint: status %d, want 503", got)
	}
	if recv.Endpoints[2].Refused() != 1 || recv.Endpoints[2].Delivered() != 0 {
		t.Fatalf("failing endpoint: refused %d, delivered %d; want 1, 0", recv.Endpoints[2].Refused(), recv.Endpoints[2].Delivered())
	}
	start := time.Now()
	if got := deliver(t, srv.URL+"/hook/0", nil, "", body); got != 200 || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("slow endpoint: status %d after %v; want 200 after ≥ 50ms", got, time.Since(start))
	}
	if recv.Endpoints[1].delay != 0 {
		t.Fatal("endpoint 1 is not among the slow ones")
	}
}

func TestReceiverServesOverItsOwnListener(t *testing.T) {
	t.Parallel()
	recv := NewReceiver(ReceiverOptions{Endpoints: 1}, NewClock(nil))
	if err := recv.Start(); err != nil {
		t.Fatal(err)
	}
	body := NewEnvelopes("r", 1, 0).Append(nil, kindBaseline, 9)
	if got := deliver(t, recv.BaselineURL(), nil, "", body); got != 200 {
		t.Fatalf("baseline endpoint: status %d, want 200", got)
	}
	if err := recv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if recv.Baseline.Delivered() != 1 || recv.Baseline.Arrival(9) == 0 {
		t.Fatalf("baseline delivered %d, want 1 with an arrival time", recv.Baseline.Delivered())
	}
}

func TestEndpointsGetTheirOwnHostUnlessShared(t *testing.T) {
	t.Parallel()
	for _, shared := range []bool{false, true} {
		recv := NewReceiver(ReceiverOptions{Endpoints: 2, SharedHost: shared}, NewClock(nil))
		if err := recv.Start(); err != nil {
			t.Fatal(err)
		}
		host := func(url string) string { return strings.Split(url, "/")[2] }
		distinct := host(recv.URL(0)) != host(recv.URL(1)) && host(recv.URL(1)) != host(recv.BaselineURL())
		if distinct == shared {
			t.Errorf("shared %v: URLs %s %s %s", shared, recv.URL(0), recv.URL(1), recv.BaselineURL())
		}
		body := NewEnvelopes("r", 1, 0).Append(nil, kindLoad, 0)
		if got := deliver(t, recv.URL(1), nil, "", body); got != 200 || recv.Endpoints[1].Delivered() != 1 {
			t.Errorf("shared %v: endpoint 1 answered %d, delivered %d", shared, got, recv.Endpoints[1].Delivered())
		}
		if err := recv.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
