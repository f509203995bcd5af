package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
)

// seed gives pos an attempt that failed and a dead letter, and a replay job.
func (tc *testConsole) seed() {
	at := tc.clk.now()
	next := at.Add(5 * time.Second)
	tc.ops.mu.Lock()
	defer tc.ops.mu.Unlock()
	tc.ops.attempts["pos"] = []ops.Attempt{
		{Subscription: "pos", EventID: "ev-1", EventType: "contact.created", ContactID: "c-1", Attempt: 1, Status: 503,
			Outcome: "retry", Class: "5xx", At: at, NextRetryAt: &next, ResponseBody: "upstream down",
			RequestHeaders: map[string]string{"webhook-id": "msg_1", "webhook-signature": "[redacted]"}},
	}
	tc.ops.dead["pos"] = []ops.DeadLetter{{EventID: "ev-2", EventType: "contact.created", LastStatus: 400, Error: "400 Bad Request", Attempts: 1, At: at}}
	tc.ops.jobs["job-1"] = ops.ReplayJob{ID: "job-1", Subscription: "pos", Done: 3, Total: 6}
}

func TestEveryPageRendersWithItsCredential(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	admin := newBrowser(t, tc.srv)
	admin.signIn(adminToken)
	subscriber := newBrowser(t, tc.srv)
	subscriber.openLink(tc, "pos")
	for _, rt := range tc.Routes() {
		if rt.Method != http.MethodGet || rt.Access == "public" {
			continue
		}
		b := admin
		if rt.Portal {
			b = subscriber
		}
		status, h, body := b.do(request(t, tc.srv.URL, rt, nil))
		if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s = %d %s:\n%.400s", rt.Path, status, h.Get("Content-Type"), body)
		}
	}
}

func TestAFormPostedWithoutItsCSRFTokenIsRefusedAndChangesNothing(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	admin := newBrowser(t, tc.srv)
	admin.signIn(adminToken)
	subscriber := newBrowser(t, tc.srv)
	subscriber.openLink(tc, "pos")
	for _, rt := range tc.Routes() {
		if rt.Access != "form" {
			continue
		}
		b := admin
		if rt.Portal {
			b = subscriber
		}
		for name, form := range map[string]url.Values{
			"missing": {"all": {"1"}, "since": {"2026-01-01T00:00"}, "id": {"new-one"}, "eventType": {"contact.created"}, "url": {"https://x.example"}},
			"wrong":   {"csrf": {"not-the-token"}, "all": {"1"}},
		} {
			if status, _, _ := b.do(request(t, tc.srv.URL, rt, form)); status != http.StatusForbidden {
				t.Errorf("POST %s with the CSRF token %s = %d, want 403", rt.Path, name, status)
			}
		}
	}
	subs, _ := tc.ops.Subscriptions(t.Context())
	if len(subs) != 2 || !subs[0].Enabled || !subs[1].Enabled || len(tc.ops.redriven) != 0 || tc.ops.secrets != 0 {
		t.Fatalf("a refused form changed something: subs %+v, redriven %v, secrets %d", subs, tc.ops.redriven, tc.ops.secrets)
	}
}

func TestPortalLinkShowsItsOwnSubscriptionAndNoOther(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	b := newBrowser(t, tc.srv)
	ln := b.openLink(tc, "pos")
	status, _, page := b.get("/portal/s/pos/")
	if status != http.StatusOK || !strings.Contains(page, "https://pos.example/hook") {
		t.Fatalf("own portal page = %d:\n%.500s", status, page)
	}
	if strings.Contains(page, "crm") {
		t.Fatal("the portal page names another subscription")
	}
	for _, path := range []string{"/portal/s/crm/", "/portal/s/crm/attempts", "/portal/s/crm/dead-letters"} {
		if status, _, body := b.get(path); status != http.StatusForbidden || strings.Contains(body, "crm.example") {
			t.Errorf("GET %s with pos's link = %d, want 403 and nothing of crm", path, status)
		}
	}
	csrf := csrfOf(t, page)
	if status, _, _ := b.post("/portal/s/crm/rotate", url.Values{"csrf": {csrf}}); status != http.StatusForbidden {
		t.Errorf("rotate crm's secret with pos's link = %d, want 403", status)
	}
	if err := tc.links.Revoke(t.Context(), "pos", ln.ID); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := b.get("/portal/s/pos/"); status != http.StatusUnauthorized {
		t.Fatalf("portal page after revocation = %d, want 401", status)
	}
}

func TestPortalActionsActOnTheLinksSubscription(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	b := newBrowser(t, tc.srv)
	b.openLink(tc, "pos")
	_, _, page := b.get("/portal/s/pos/dead-letters")
	csrf := csrfOf(t, page)
	if status, h, _ := b.post("/portal/s/pos/dead-letters/redrive", url.Values{"csrf": {csrf}, "one": {"ev-2"}}); status != http.StatusSeeOther ||
		h.Get("Location") != "/portal/s/pos/dead-letters?redriven=1" {
		t.Fatalf("redrive one = %d %s", status, h.Get("Location"))
	}
	if len(tc.ops.redriven) != 1 || len(tc.ops.redriven[0].EventIDs) != 1 || tc.ops.redriven[0].EventIDs[0] != "ev-2" {
		t.Fatalf("redriven = %+v, want ev-2", tc.ops.redriven)
	}
	status, _, rotated := b.post("/portal/s/pos/rotate", url.Values{"csrf": {csrf}})
	if status != http.StatusOK || !strings.Contains(rotated, "whsec_fakeSecretNumberB") {
		t.Fatalf("rotate = %d, the new secret not shown once", status)
	}
}
