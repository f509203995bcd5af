package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSubscriptionLifecycleAndItsTypedErrors(t *testing.T) {
	t.Parallel()
	s := newService(t, Deps{})
	ctx := context.Background()
	sub, err := DecodeSubscription([]byte(hookJSON))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateSubscription(ctx, sub)
	errorAs[*Conflict](t, err)

	off, err := s.DisableSubscription(ctx, "pos-sync", "")
	if err != nil || off.Enabled || off.DisabledReason != "disabled by an operator" {
		t.Fatalf("disable = %+v, %v", off, err)
	}
	on, err := s.EnableSubscription(ctx, "pos-sync")
	if err != nil || !on.Enabled || on.DisabledReason != "" {
		t.Fatalf("enable = %+v, %v", on, err)
	}
	rot, err := s.RotateSecret(ctx, "pos-sync")
	if err != nil || rot.Secret == "" {
		t.Fatalf("rotate = %+v, %v", rot, err)
	}
	patched, err := s.PatchSubscription(ctx, "pos-sync", []byte(`{"rateLimit": -1}`))
	if inv := errorAs[*Invalid](t, err); inv.Field != "rateLimit" || patched.ID != "" {
		t.Fatalf("invalid patch = %+v (%+v)", inv, patched)
	}
	if err := s.DeleteSubscription(ctx, "pos-sync"); err != nil {
		t.Fatal(err)
	}
	if nf := errorAs[*NotFound](t, s.DeleteSubscription(ctx, "pos-sync")); nf.ID != "pos-sync" {
		t.Fatalf("not found = %+v", nf)
	}
	_, err = DecodeSubscription([]byte(`{`))
	errorAs[*Malformed](t, err)
}

func TestUpdateSubscriptionReplacesIt(t *testing.T) {
	t.Parallel()
	s := newService(t, Deps{})
	sub, _ := DecodeSubscription([]byte(`{"id":"pos-sync","eventTypes":["point.*"],"destination":{"type":"webhook","url":"https://pos.example.com/v2"}}`))
	got, err := s.UpdateSubscription(context.Background(), "pos-sync", sub)
	if err != nil || got.Destination.URL != "https://pos.example.com/v2" || got.EventTypes[0] != "point.*" {
		t.Fatalf("update = %+v, %v", got, err)
	}
	list, _ := s.Subscriptions(context.Background())
	if len(list) != 1 {
		t.Fatalf("list = %d subscriptions, want 1", len(list))
	}
}

func TestAttemptQueryFilters(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a := Attempt{Subscription: "s", EventID: "e1", EventType: "contact.updated", ContactID: "c1", Outcome: "retry", At: t0}
	cases := []struct {
		name string
		q    AttemptQuery
		want bool
	}{
		{"no filter", AttemptQuery{}, true},
		{"other subscription", AttemptQuery{Subscription: "x"}, false},
		{"failed takes retry", AttemptQuery{Outcome: OutcomeFailed}, true},
		{"delivered refuses retry", AttemptQuery{Outcome: OutcomeDelivered}, false},
		{"event type", AttemptQuery{EventType: "contact.created"}, false},
		{"contact", AttemptQuery{ContactID: "c1"}, true},
		{"other contact", AttemptQuery{ContactID: "c2"}, false},
		{"event id", AttemptQuery{EventID: "e2"}, false},
		{"since is inclusive", AttemptQuery{Since: t0}, true},
		{"until is exclusive", AttemptQuery{Until: t0}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.q.Matches(a); got != tc.want {
				t.Fatalf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAttemptsRefusesBadQueriesNamingTheField(t *testing.T) {
	t.Parallel()
	s := newService(t, Deps{Attempts: sliceAttempts{}})
	cases := []struct {
		name  string
		q     AttemptQuery
		field string
	}{
		{"limit", AttemptQuery{Subscription: "pos-sync", Limit: 1001}, "limit"},
		{"outcome", AttemptQuery{Subscription: "pos-sync", Outcome: "exploded"}, "outcome"},
		{"time range", AttemptQuery{Subscription: "pos-sync", Since: time.Unix(2, 0), Until: time.Unix(1, 0)}, "since"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Attempts(context.Background(), tc.q)
			if err == nil || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("error = %v, want one naming %s", err, tc.field)
			}
		})
	}
	_, err := s.Attempts(context.Background(), AttemptQuery{Subscription: "nope"})
	errorAs[*NotFound](t, err)
}

func TestRedriveRequestMustSayWhich(t *testing.T) {
	t.Parallel()
	s := newService(t, Deps{})
	cases := []struct {
		name  string
		r     RedriveRequest
		field string
	}{
		{"nothing", RedriveRequest{}, "eventIds"},
		{"both", RedriveRequest{All: true, EventIDs: []string{"e"}}, "eventIds"},
		{"empty id", RedriveRequest{EventIDs: []string{"e", ""}}, "eventIds[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Redrive(context.Background(), "pos-sync", tc.r)
			if inv := errorAs[*Invalid](t, err); inv.Field != tc.field {
				t.Fatalf("field = %q, want %q", inv.Field, tc.field)
			}
		})
	}
}

func TestReplayJobReportsProgressUntilFinished(t *testing.T) {
	t.Parallel()
	rp := &fakeReplayer{release: make(chan struct{})}
	s := newService(t, Deps{Replayer: rp})
	ctx := context.Background()
	job, err := s.Replay(ctx, "pos-sync", time.Now().Add(-time.Hour))
	if err != nil || job.Finished {
		t.Fatalf("replay = %+v, %v", job, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for st, _ := s.ReplayStatus(ctx, job.ID); st.Total != 10; st, _ = s.ReplayStatus(ctx, job.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("no progress reported: %+v", st)
		}
	}
	close(rp.release)
	done, err := s.WaitReplay(ctx, job.ID)
	if err != nil || !done.Finished || done.Done != 10 || done.Copied != 4 || done.Error != "" {
		t.Fatalf("finished job = %+v, %v", done, err)
	}
	_, err = s.ReplayStatus(ctx, "rpl_nope")
	errorAs[*NotFound](t, err)
	_, err = s.Replay(ctx, "pos-sync", time.Time{})
	errorAs[*Invalid](t, err)
}

func TestFailedReplayFinishesWithItsError(t *testing.T) {
	t.Parallel()
	rp := &fakeReplayer{release: make(chan struct{}), err: errors.New("broker gone")}
	close(rp.release)
	s := newService(t, Deps{Replayer: rp})
	job, _ := s.Replay(context.Background(), "pos-sync", time.Now())
	done, _ := s.WaitReplay(context.Background(), job.ID)
	if !done.Finished || done.Error == "" {
		t.Fatalf("job = %+v, want finished with an error", done)
	}
}

func TestPublishErrorsMapByStatus(t *testing.T) {
	t.Parallel()
	cases := []struct {
		status int
		check  func(error) bool
	}{
		{400, func(err error) bool { var e *Malformed; return errors.As(err, &e) }},
		{413, func(err error) bool { var e *TooLarge; return errors.As(err, &e) }},
		{422, func(err error) bool { var e *Invalid; return errors.As(err, &e) }},
		{503, func(err error) bool { var e *Unavailable; return errors.As(err, &e) && e.RetryAfter == 2*time.Second }},
	}
	for _, tc := range cases {
		err := publishError(&PublishError{Status: tc.status, Code: "c", Message: "m", RetryAfter: 2})
		if !tc.check(err) {
			t.Errorf("status %d mapped to %T", tc.status, err)
		}
	}
	s := New(Deps{Store: newStore(t)})
	_, err := s.Publish(context.Background(), []byte(`{}`), "")
	errorAs[*Unavailable](t, err)
}

func TestCatalogListsEveryTypeWithItsTopic(t *testing.T) {
	t.Parallel()
	s := New(Deps{Store: newStore(t), TopicPrefix: "engage."})
	types := s.EventTypes(context.Background())
	if len(types) != 11 {
		t.Fatalf("catalog has %d types, want 11", len(types))
	}
	one, err := s.EventType(context.Background(), "point.balance.updated")
	if err != nil || one.Topic != "engage.point.balance.updated" || len(one.Example) == 0 {
		t.Fatalf("event type = %+v, %v", one, err)
	}
	_, err = s.EventType(context.Background(), "nope")
	errorAs[*NotFound](t, err)
}

func TestTraceGroupsAttemptsByEventAndSubscription(t *testing.T) {
	t.Parallel()
	t0 := time.Now()
	src := sliceAttempts{ // newest first
		{Subscription: "b", EventID: "e1", EventType: "contact.updated", ContactID: "c1", Outcome: "delivered", At: t0.Add(3), Topic: "engagehub.deliver.b", Offset: 7},
		{Subscription: "a", EventID: "e1", EventType: "contact.updated", ContactID: "c1", Outcome: "delivered", At: t0.Add(2), Topic: "engagehub.deliver.a", Offset: 3},
		{Subscription: "a", EventID: "e1", EventType: "contact.updated", ContactID: "c1", Outcome: "retry", At: t0.Add(1), Topic: "engagehub.deliver.a", Offset: 3},
		{Subscription: "a", EventID: "e0", EventType: "contact.created", ContactID: "c1", Outcome: "delivered", At: t0},
	}
	s := New(Deps{Store: newStore(t), Attempts: src, TopicPrefix: "engage."})
	tr, err := s.Trace(context.Background(), TraceQuery{ContactID: "c1"})
	if err != nil || len(tr.Events) != 2 || tr.Events[0].EventID != "e1" {
		t.Fatalf("trace = %+v, %v", tr, err)
	}
	e1 := tr.Events[0]
	if e1.Topic != "engage.contact.updated" || len(e1.Copies) != 2 {
		t.Fatalf("e1 = %+v", e1)
	}
	if a := e1.Copies[0]; a.Subscription != "a" || len(a.Attempts) != 2 || a.Outcome != "delivered" || a.Offset != 3 {
		t.Fatalf("copy a = %+v", a)
	}
	_, err = s.Trace(context.Background(), TraceQuery{})
	errorAs[*Invalid](t, err)
}
