package delivery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/event"
)

// scriptedTransformer applies fn to each request.
type scriptedTransformer struct {
	fn func(r Request) (Request, bool, error)
}

func (s *scriptedTransformer) Transform(_ context.Context, r Request) (Request, bool, error) {
	return s.fn(r)
}

// seen records the method and path of each request before the receiver.
type seen struct {
	mu    sync.Mutex
	lines []string
}

func (s *seen) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.lines = append(s.lines, r.Method+" "+r.URL.RequestURI())
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func TestTransformedRequestIsSignedOverTheNewBodyAndSentWhereItSays(t *testing.T) {
	t.Parallel()
	first, firstSrv := testReceiver(t, nil, nil)
	second, _ := testReceiver(t, nil, nil)
	var paths seen
	secondSrv := httptest.NewServer(paths.wrap(second))
	t.Cleanup(secondSrv.Close)
	tr := &scriptedTransformer{fn: func(r Request) (Request, bool, error) {
		r.Body = []byte(`{"reshaped":"` + r.EventType + `"}`)
		r.URL, r.Method = secondSrv.URL+"/other?x=1", http.MethodPut
		r.Headers = map[string]string{"x-from-script": "yes", "x-team": r.Headers["x-team"]}
		return r, false, nil
	}}
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, testConfig(), Endpoint{URL: firstSrv.URL, Headers: map[string]string{"x-team": "pos"}, Transform: tr}, Deps{Broker: b, Sink: b})
	if !second.Wait(5*time.Second, func(a []receiver.Arrival) bool { return len(a) == 1 }) {
		t.Fatal("the transformed request never arrived")
	}
	a := second.Arrivals()[0]
	if !a.Verified || string(a.Body) != `{"reshaped":"contact.updated"}` || a.Header.Get("x-from-script") != "yes" || a.Header.Get("x-team") != "pos" {
		t.Fatalf("arrival verified=%v (%v) body %s headers %v", a.Verified, a.Err, a.Body, a.Header)
	}
	if got := paths.all(); len(got) != 1 || got[0] != "PUT /other?x=1" {
		t.Fatalf("requests = %v, want PUT /other?x=1", got)
	}
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if len(first.Arrivals()) != 0 {
		t.Fatalf("the endpoint's own URL got %d requests", len(first.Arrivals()))
	}
}

func TestTransformCancelSettlesTheEventWithoutSending(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	tr := &scriptedTransformer{fn: func(r Request) (Request, bool, error) { return r, strings.Contains(string(r.Body), `"e1"`), nil }}
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"), record("engagehub.deliver.sub", "c1", "e2"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL, Transform: tr}, Deps{Broker: b, Sink: b})
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if got := rcv.Arrivals(); len(got) != 1 || got[0].MsgID != "msg_e2" {
		t.Fatalf("arrivals = %d, want only e2", len(got))
	}
	assertDeadLetter(t, b, "", 0)
}

func TestTransformFailureDeadLettersOnlyThatEvent(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	tr := &scriptedTransformer{fn: func(r Request) (Request, bool, error) {
		if strings.Contains(string(r.Body), `"e1"`) {
			return Request{}, false, errors.New("line 3:5: TypeError: boom")
		}
		return r, false, nil
	}}
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"), record("engagehub.deliver.sub", "c1", "e2"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL, Transform: tr}, Deps{Broker: b, Sink: b})
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if got := rcv.Arrivals(); len(got) != 1 || got[0].MsgID != "msg_e2" || !got[0].Verified {
		t.Fatalf("arrivals = %v, want e2 only, verified", got)
	}
	assertDeadLetter(t, b, "transform", 0)
	if reason := header(b.records("engagehub.dlq.sub")[0], event.HeaderDLQError); !strings.Contains(reason, "line 3:5: TypeError: boom") {
		t.Fatalf("dlq-error = %q, want the script's error", reason)
	}
}
