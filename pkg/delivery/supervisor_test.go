package delivery

import (
	"context"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestSupervisorStartsAndStopsWorkersOnUpdate(t *testing.T) {
	t.Parallel()
	rcv, srv := testReceiver(t, nil, nil)
	b := newMemBroker()
	s := NewSupervisor(testConfig(), Deps{Broker: b, Sink: b, Client: loopbackClient(), Decoder: rawDecoder{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	ep := Endpoint{ID: "a", URL: srv.URL, Secrets: []webhook.Secret{testSecret}}
	s.Update([]Endpoint{ep})
	_ = b.WriteMessages(ctx, record("engagehub.deliver.a", "c1", "e1"))
	waitArrivals(t, rcv, 1)
	s.Update(nil)
	eventually(t, 5*time.Second, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.running) == 0
	}, "worker stopped")
	if _, ok := s.Endpoint("a"); ok {
		t.Fatal("removed endpoint still looked up")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
}
