package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// signedIn is an admin browser and the CSRF token of its session.
func signedIn(t *testing.T, tc *testConsole) (*browser, string) {
	t.Helper()
	b := newBrowser(t, tc.srv)
	if status := b.signIn(adminToken); status != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", status)
	}
	_, _, page := b.get("/console/")
	return b, csrfOf(t, page)
}

func TestCreateFormMakesTheSubscriptionTheAPIWould(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	b, csrf := signedIn(t, tc)
	status, _, page := b.post("/console/subscriptions", url.Values{"csrf": {csrf}, "id": {"loyalty"}, "description": {"POS loyalty"},
		"eventType": {"point.balance.updated", "loyalty.addPoints"}, "patterns": {"contact.*"}, "destinationType": {"webhook"},
		"url": {"https://pos.example/hook"}, "timeout": {"5s"}, "headers": {"x-team: pos\nx-env: prod"}, "ordering": {"none"},
		"rateLimit": {"50"}, "enabled": {"true"}})
	if status != http.StatusOK || !strings.Contains(page, `id="secret">whsec_`) {
		t.Fatalf("create = %d:\n%.500s", status, page)
	}
	got, err := tc.ops.Subscription(t.Context(), "loyalty")
	if err != nil {
		t.Fatal(err)
	}
	want := subscription.Subscription{ID: "loyalty", Description: "POS loyalty", EventTypes: []string{"point.balance.updated", "loyalty.addPoints", "contact.*"},
		Ordering: subscription.OrderingNone, RateLimit: 50, Enabled: true}
	if got.ID != want.ID || got.Description != want.Description || strings.Join(got.EventTypes, ",") != strings.Join(want.EventTypes, ",") ||
		got.Ordering != want.Ordering || got.RateLimit != want.RateLimit || !got.Enabled ||
		got.Destination.URL != "https://pos.example/hook" || time.Duration(got.Destination.Timeout) != 5*time.Second ||
		got.Destination.Headers["x-team"] != "pos" || got.Destination.Headers["x-env"] != "prod" {
		t.Fatalf("created %+v", got)
	}
}

func TestCreateFormShowsTheFieldTheAPIRefusesAndKeepsTheInput(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	b, csrf := signedIn(t, tc)
	status, _, page := b.post("/console/subscriptions", url.Values{"csrf": {csrf}, "id": {"pos"}, "destinationType": {"webhook"},
		"url": {"https://kept.example/hook"}, "eventType": {"contact.created"}})
	if status != http.StatusConflict || !strings.Contains(page, "exists") || !strings.Contains(page, "https://kept.example/hook") {
		t.Fatalf("duplicate id = %d:\n%.800s", status, page)
	}
	status, _, page = b.post("/console/subscriptions", url.Values{"csrf": {csrf}, "id": {"x"}, "rateLimit": {"fast"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(page, "rateLimit") {
		t.Fatalf("bad rate limit = %d", status)
	}
}

func TestEditFormKeepsWhatItDoesNotShow(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.ops.mu.Lock()
	s := tc.ops.subs["pos"]
	s.Transform, s.MaxInFlight, s.SvixHeaders = "function handler(w) { return w }", 7, true
	tc.ops.subs["pos"] = s
	tc.ops.mu.Unlock()
	b, csrf := signedIn(t, tc)
	_, _, form := b.get("/console/subscriptions/pos/edit")
	if !strings.Contains(form, `value="https://pos.example/hook"`) || !strings.Contains(form, `value="contact.*"`) {
		t.Fatalf("edit form does not show the stored values:\n%.1500s", form)
	}
	status, h, _ := b.post("/console/subscriptions/pos", url.Values{"csrf": {csrf}, "destinationType": {"webhook"},
		"url": {"https://new.example/hook"}, "patterns": {"contact.*"}, "ordering": {"key"}, "enabled": {"true"}})
	if status != http.StatusSeeOther || h.Get("Location") != "/console/subscriptions/pos?notice=updated" {
		t.Fatalf("update = %d %s", status, h.Get("Location"))
	}
	got, _ := tc.ops.Subscription(t.Context(), "pos")
	if got.Destination.URL != "https://new.example/hook" || got.Transform == "" || got.MaxInFlight != 7 || !got.SvixHeaders {
		t.Fatalf("updated %+v: lost a field the form does not show", got)
	}
}

func TestSubscriptionActionsCallTheirOperation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, location string
		check          func(tc *testConsole) bool
	}{
		{"/console/subscriptions/pos/disable", "/console/subscriptions/pos?notice=disabled", func(tc *testConsole) bool {
			s, _ := tc.ops.Subscription(t.Context(), "pos")
			return !s.Enabled
		}},
		{"/console/subscriptions/pos/enable", "/console/subscriptions/pos?notice=enabled", func(tc *testConsole) bool {
			s, _ := tc.ops.Subscription(t.Context(), "pos")
			return s.Enabled
		}},
		{"/console/subscriptions/pos/delete", "/console/subscriptions?notice=deleted", func(tc *testConsole) bool {
			_, err := tc.ops.Subscription(t.Context(), "pos")
			return err != nil
		}},
		{"/console/subscriptions/pos/dead-letters/redrive", "/console/subscriptions/pos/dead-letters?redriven=1", func(tc *testConsole) bool {
			return len(tc.ops.redriven) == 1 && tc.ops.redriven[0].All
		}},
		{"/console/subscriptions/pos/replay", "/console/replays/job-1", func(tc *testConsole) bool {
			return tc.ops.jobs["job-1"].Since.Equal(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			tc := newTestConsole(t)
			tc.seed()
			b, csrf := signedIn(t, tc)
			status, h, body := b.post(tt.path, url.Values{"csrf": {csrf}, "all": {"1"}, "since": {"2026-11-30T08:00"}})
			if status != http.StatusSeeOther || h.Get("Location") != tt.location || !tt.check(tc) {
				t.Fatalf("POST %s = %d %s %.300s", tt.path, status, h.Get("Location"), body)
			}
			if status, _, _ := b.get(tt.location); status != http.StatusOK {
				t.Fatalf("GET %s after the action = %d", tt.location, status)
			}
		})
	}
}

func TestReplayProgressPageShowsDoneOfTotal(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	b, _ := signedIn(t, tc)
	_, _, page := b.get("/console/replays/job-1")
	if !strings.Contains(page, `value="50"`) || !strings.Contains(page, "3 of 6 records") || !strings.Contains(page, "running") {
		t.Fatalf("progress page:\n%.800s", page)
	}
	tc.ops.mu.Lock()
	tc.ops.jobs["job-1"] = func() (j ops.ReplayJob) { j = tc.ops.jobs["job-1"]; j.Done, j.Finished = 6, true; return }()
	tc.ops.mu.Unlock()
	_, _, frag := b.get("/console/fragments/replays/job-1")
	if !strings.Contains(frag, "100%") || !strings.Contains(frag, "data-done") || strings.Contains(frag, "<html") {
		t.Fatalf("finished fragment:\n%s", frag)
	}
}

func TestAttemptFiltersReachTheQueryAndBadOnesAreNamed(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	b, _ := signedIn(t, tc)
	for query, rows := range map[string]int{"": 1, "?outcome=failed": 1, "?outcome=delivered": 0, "?contactId=c-1": 1,
		"?contactId=c-2": 0, "?eventType=contact.deleted": 0, "?since=2026-12-01T12:01": 0, "?until=2026-12-01T12:01": 1} {
		_, _, page := b.get("/console/subscriptions/pos/attempts" + query)
		if got := strings.Count(page, `<tr class="attempt"`); got != rows {
			t.Errorf("attempts%s rows = %d, want %d", query, got, rows)
		}
	}
	status, _, page := b.get("/console/subscriptions/pos/attempts?since=yesterday")
	if status != http.StatusBadRequest || !strings.Contains(page, "since:") {
		t.Fatalf("bad since = %d", status)
	}
}
