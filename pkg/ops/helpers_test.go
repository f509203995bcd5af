package ops

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

// newStore returns a subscription store over an in-memory topic.
func newStore(t *testing.T) *subscription.Store {
	t.Helper()
	c, err := subscription.NewCipher(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	store, err := subscription.Open(context.Background(), subscriptiontest.NewTopic().Opener(), subscription.DefaultConfig(), c, subscription.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return store
}

const hookJSON = `{"id":"pos-sync","eventTypes":["contact.*"],"destination":{"type":"webhook","url":"https://pos.example.com/hooks"}}`

// newService returns a Service over a store holding pos-sync.
func newService(t *testing.T, d Deps) *Service {
	t.Helper()
	if d.Store == nil {
		d.Store = newStore(t)
	}
	s := New(d)
	t.Cleanup(s.Close)
	sub, err := DecodeSubscription([]byte(hookJSON))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateSubscription(context.Background(), sub); err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeReplayer reports two steps of progress, then waits for release.
type fakeReplayer struct {
	release chan struct{}
	err     error
}

func (f *fakeReplayer) Replay(ctx context.Context, id string, since time.Time, report func(delivery.ReplayProgress)) (delivery.ReplayProgress, error) {
	report(delivery.ReplayProgress{Since: since, Scanned: 0, Total: 10, Topics: map[string]int{"engage.contact.updated": 0}})
	select {
	case <-f.release:
	case <-ctx.Done():
		return delivery.ReplayProgress{}, ctx.Err()
	}
	p := delivery.ReplayProgress{Since: since, Scanned: 10, Total: 10, Copied: 4, Topics: map[string]int{"engage.contact.updated": 4}, Finished: f.err == nil}
	return p, f.err
}

// sliceAttempts answers queries from a slice held newest first.
type sliceAttempts []Attempt

func (s sliceAttempts) Attempts(_ context.Context, q AttemptQuery) (AttemptPage, error) {
	var out []Attempt
	for _, a := range s {
		if q.Matches(a) && len(out) < q.Limit {
			out = append(out, a)
		}
	}
	return AttemptPage{Attempts: out}, nil
}

// errorAs asserts err is a *T and returns it.
func errorAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	if !errors.As(err, &target) {
		t.Fatalf("error = %T %v, want %T", err, err, target)
	}
	return target
}
