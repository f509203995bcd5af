package console

import (
	"context"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// fakeOps keeps subscriptions, attempts and dead letters in memory and
// records what was asked of it.
type fakeOps struct {
	mu       sync.Mutex
	subs     map[string]subscription.Subscription
	attempts map[string][]ops.Attempt
	dead     map[string][]ops.DeadLetter
	secrets  int
	redriven []ops.RedriveRequest
	jobs     map[string]ops.ReplayJob
}

func newFakeOps() *fakeOps {
	return &fakeOps{subs: map[string]subscription.Subscription{}, attempts: map[string][]ops.Attempt{},
		dead: map[string][]ops.DeadLetter{}, jobs: map[string]ops.ReplayJob{}}
}

func (f *fakeOps) add(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[id] = subscription.Subscription{ID: id, EventTypes: []string{"contact.*"}, Enabled: true, Ordering: subscription.OrderingKey,
		Destination: subscription.Destination{Type: subscription.DestinationWebhook, URL: "https://" + id + ".example/hook"}}
}

func (f *fakeOps) Subscriptions(context.Context) ([]subscription.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []subscription.Subscription
	for _, s := range f.subs {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeOps) Subscription(_ context.Context, id string) (subscription.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return s, &ops.NotFound{What: "subscription", ID: id}
	}
	return s, nil
}

func (f *fakeOps) secret() string {
	f.secrets++
	return "whsec_fakeSecretNumber" + string(rune('A'+f.secrets))
}

func (f *fakeOps) CreateSubscription(_ context.Context, sub subscription.Subscription) (ops.WithSecret, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if sub.ID == "" {
		return ops.WithSecret{}, &ops.Invalid{Field: "id", Message: "is required"}
	}
	if _, ok := f.subs[sub.ID]; ok {
		return ops.WithSecret{}, &ops.Conflict{Code: "exists", Message: "subscription " + sub.ID + " exists"}
	}
	f.subs[sub.ID] = sub
	return ops.WithSecret{Subscription: sub, Secret: f.secret()}, nil
}

func (f *fakeOps) UpdateSubscription(ctx context.Context, id string, sub subscription.Subscription) (ops.WithSecret, error) {
	if _, err := f.Subscription(ctx, id); err != nil {
		return ops.WithSecret{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs[id] = sub
	return ops.WithSecret{Subscription: sub}, nil
}

func (f *fakeOps) setEnabled(id string, on bool, reason string) (subscription.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return s, &ops.NotFound{What: "subscription", ID: id}
	}
	s.Enabled, s.DisabledReason = on, reason
	f.subs[id] = s
	return s, nil
}

func (f *fakeOps) EnableSubscription(_ context.Context, id string) (subscription.Subscription, error) {
	return f.setEnabled(id, true, "")
}

func (f *fakeOps) DisableSubscription(_ context.Context, id, reason string) (subscription.Subscription, error) {
	return f.setEnabled(id, false, reason)
}

func (f *fakeOps) DeleteSubscription(ctx context.Context, id string) error {
	if _, err := f.Subscription(ctx, id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, id)
	return nil
}

func (f *fakeOps) RotateSecret(ctx context.Context, id string) (ops.WithSecret, error) {
	s, err := f.Subscription(ctx, id)
	if err != nil {
		return ops.WithSecret{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return ops.WithSecret{Subscription: s, Secret: f.secret()}, nil
}

func (f *fakeOps) Attempts(ctx context.Context, q ops.AttemptQuery) (ops.AttemptPage, error) {
	if _, err := f.Subscription(ctx, q.Subscription); err != nil {
		return ops.AttemptPage{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ops.Attempt
	for _, a := range f.attempts[q.Subscription] {
		if q.Matches(a) {
			out = append(out, a)
		}
	}
	return ops.AttemptPage{Attempts: out}, nil
}

func (f *fakeOps) DeadLetters(ctx context.Context, q ops.DeadLetterQuery) (ops.DeadLetterPage, error) {
	if _, err := f.Subscription(ctx, q.Subscription); err != nil {
		return ops.DeadLetterPage{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return ops.DeadLetterPage{DeadLetters: f.dead[q.Subscription]}, nil
}

func (f *fakeOps) Redrive(ctx context.Context, id string, r ops.RedriveRequest) (ops.RedriveResult, error) {
	if _, err := f.Subscription(ctx, id); err != nil {
		return ops.RedriveResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.redriven = append(f.redriven, r)
	n := len(r.EventIDs)
	if r.All {
		n = len(f.dead[id])
	}
	return ops.RedriveResult{Redriven: n}, nil
}

func (f *fakeOps) Replay(ctx context.Context, id string, since time.Time) (ops.ReplayJob, error) {
	if _, err := f.Subscription(ctx, id); err != nil {
		return ops.ReplayJob{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	job := ops.ReplayJob{ID: "job-1", Subscription: id, Since: since, Done: 5, Total: 10}
	f.jobs[job.ID] = job
	return job, nil
}

func (f *fakeOps) ReplayStatus(_ context.Context, jobID string) (ops.ReplayJob, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	job, ok := f.jobs[jobID]
	if !ok {
		return job, &ops.NotFound{What: "replay", ID: jobID}
	}
	return job, nil
}

func (f *fakeOps) TestEvent(ctx context.Context, id string) (ops.PingResult, error) {
	if _, err := f.Subscription(ctx, id); err != nil {
		return ops.PingResult{}, err
	}
	return ops.PingResult{EventID: "ping-1", Status: 200, Outcome: "delivered", LatencyMS: 1.5}, nil
}

func (f *fakeOps) EventTypes(context.Context) []ops.EventType {
	var out []ops.EventType
	for _, s := range event.Catalog() {
		out = append(out, ops.EventType{Type: s.Type, Topic: "engage." + string(s.Type), Required: s.Required})
	}
	return out
}

func (f *fakeOps) EventType(_ context.Context, t string) (ops.EventType, error) {
	s, ok := event.Lookup(event.Type(t))
	if !ok {
		return ops.EventType{}, &ops.NotFound{What: "event type", ID: t}
	}
	return ops.EventType{Type: s.Type, Topic: "engage." + t, Required: s.Required, Example: s.Example, Schema: []byte(`{"type":"record"}`)}, nil
}

func (f *fakeOps) PublishSample(_ context.Context, t event.Type, _ string) (ops.PublishResult, error) {
	return ops.PublishResult{Events: []ops.PublishedEvent{{EventID: "sample-1", EventType: t, Topic: "engage." + string(t)}}}, nil
}

func (f *fakeOps) Trace(_ context.Context, q ops.TraceQuery) (ops.Trace, error) {
	return ops.Trace{Events: []ops.TracedEvent{{EventID: q.EventID, EventType: "contact.created", Topic: "engage.contact.created",
		Copies: []ops.TracedCopy{{Subscription: "pos", Topic: "engagehub.deliver.pos", Outcome: "delivered"}}}}}, nil
}

// testConsole is a console over fake ops with two subscriptions, pos and
// crm, served by an httptest server.
type testConsole struct {
	*Console
	ops   *fakeOps
	clk   *clock
	links *Links
	srv   *httptest.Server
}

func newTestConsole(t *testing.T) *testConsole {
	t.Helper()
	clk := newClock()
	fo := newFakeOps()
	fo.add("pos")
	fo.add("crm")
	links := openTestLinks(t, &memLog{}, clk)
	cfg := DefaultConfig()
	c := New(cfg, Deps{Ops: fo, Tokens: tokens(adminToken), Links: links, Now: clk.now})
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return &testConsole{Console: c, ops: fo, clk: clk, links: links, srv: srv}
}
