package console

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// concrete fills a route's path parameters with values that exist.
func concrete(path string) string {
	r := strings.NewReplacer("{id}", "pos", "{linkId}", "nolink", "{job}", "job-1", "{type}", "contact.created",
		"{token}", "not-a-token", "{file}", "style.css", "{$}", "")
	return r.Replace(path)
}

// request is one route's request, a form with its fields when it is a POST.
func request(t *testing.T, base string, rt Route, form url.Values) *http.Request {
	t.Helper()
	var body *strings.Reader
	if rt.Method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(rt.Method, base+concrete(rt.Path), body)
	if err != nil {
		t.Fatal(err)
	}
	if rt.Method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}

func TestEveryRouteWithoutASessionRedirectsToSigninOrAnswers401(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	routes := tc.Routes()
	if len(routes) < 30 {
		t.Fatalf("only %d routes enumerated; the table is the one the mux is built from", len(routes))
	}
	for _, rt := range routes {
		if rt.Access == "public" {
			continue
		}
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			b := newBrowser(t, tc.srv)
			status, h, _ := b.do(request(t, tc.srv.URL, rt, url.Values{}))
			switch {
			case rt.Portal:
				if status != http.StatusUnauthorized {
					t.Fatalf("portal route without a link = %d, want 401", status)
				}
			case rt.Access == "fragment":
				if status != http.StatusUnauthorized {
					t.Fatalf("fragment without a session = %d, want 401", status)
				}
			default:
				if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/signin") {
					t.Fatalf("page without a session = %d Location %q, want 303 to /console/signin", status, h.Get("Location"))
				}
			}
		})
	}
}

func TestConsoleSessionOpensNoPortalPageAndPortalLinkNoConsolePage(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	admin := newBrowser(t, tc.srv)
	if status := admin.signIn(adminToken); status != http.StatusSeeOther {
		t.Fatalf("sign-in = %d", status)
	}
	subscriber := newBrowser(t, tc.srv)
	subscriber.openLink(tc, "pos")
	for _, rt := range tc.Routes() {
		if rt.Access == "public" || rt.Method != http.MethodGet {
			continue
		}
		b, want := admin, http.StatusUnauthorized
		if !rt.Portal {
			b, want = subscriber, http.StatusSeeOther
			if rt.Access == "fragment" {
				want = http.StatusUnauthorized
			}
		}
		if status, _, _ := b.do(request(t, tc.srv.URL, rt, nil)); status != want {
			t.Errorf("GET %s with the other kind of credential = %d, want %d", rt.Path, status, want)
		}
	}
}

func TestSigninRefusesAWrongTokenAndAFormWithoutItsToken(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tests := []struct {
		name   string
		form   func(page string) url.Values
		status int
	}{
		{"right token", func(p string) url.Values { return url.Values{"csrf": {csrfOf(t, p)}, "token": {adminToken}} }, http.StatusSeeOther},
		{"wrong token", func(p string) url.Values { return url.Values{"csrf": {csrfOf(t, p)}, "token": {"guess-0123456789"}} }, http.StatusUnauthorized},
		{"no form token", func(string) url.Values { return url.Values{"token": {adminToken}} }, http.StatusForbidden},
		{"forged form token", func(string) url.Values { return url.Values{"csrf": {"forged"}, "token": {adminToken}} }, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBrowser(t, tc.srv)
			_, _, page := b.get("/console/signin")
			status, _, _ := b.post("/console/signin", tt.form(page))
			if status != tt.status {
				t.Fatalf("sign-in = %d, want %d", status, tt.status)
			}
			signedIn, _, _ := b.get("/console/")
			if (signedIn == http.StatusOK) != (tt.status == http.StatusSeeOther) {
				t.Fatalf("overview after sign-in = %d", signedIn)
			}
		})
	}
}

func TestSessionCookieIsHttpOnlyStrictAndEndsOnSignoutAndExpiry(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	b := newBrowser(t, tc.srv)
	_, _, page := b.get("/console/signin")
	_, h, _ := b.post("/console/signin", url.Values{"csrf": {csrfOf(t, page)}, "token": {adminToken}})
	cookie := h.Get("Set-Cookie")
	for _, attr := range []string{"eh_session=", "HttpOnly", "SameSite=Strict", "Path=/console/"} {
		if !strings.Contains(strings.Join(h.Values("Set-Cookie"), "\n"), attr) {
			t.Fatalf("session cookie %q lacks %s", cookie, attr)
		}
	}
	_, _, overview := b.get("/console/")
	if status, _, _ := b.post("/console/signout", url.Values{"csrf": {csrfOf(t, overview)}}); status != http.StatusSeeOther {
		t.Fatalf("sign-out = %d", status)
	}
	if status, _, _ := b.get("/console/"); status != http.StatusSeeOther {
		t.Fatalf("overview after sign-out = %d, want 303", status)
	}
	b.signIn(adminToken)
	tc.clk.advance(tc.cfg.SessionTTL)
	if status, _, _ := b.get("/console/"); status != http.StatusSeeOther {
		t.Fatalf("overview after the session's TTL = %d, want 303", status)
	}
}

func TestSigninRedirectStaysInsideTheConsole(t *testing.T) {
	t.Parallel()
	for next, want := range map[string]string{"/console/subscriptions": "/console/subscriptions",
		"https://evil.example/": "/console/", "//evil.example/console/": "/console/", "/console/\r\nx": "/console/"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// openLink makes a link to sub and opens it in b, as its receiver would.
func (b *browser) openLink(tc *testConsole, sub string) Link {
	b.t.Helper()
	ln, token, err := tc.links.Create(b.t.Context(), sub, time.Hour)
	if err != nil {
		b.t.Fatal(err)
	}
	if status, _, _ := b.get("/portal/open/" + token); status != http.StatusOK {
		b.t.Fatalf("open portal link = %d", status)
	}
	return ln
}

func TestEveryMountedAPIRouteWithoutABearerTokenAnswers401(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	srv := apiServer(t, tc)
	n := 0
	for _, rt := range tc.Mount() {
		if rt.Method == "" { // the /console/ and /portal/ subtrees: their routes are Routes(), tested above
			continue
		}
		if !rt.Authenticated {
			t.Errorf("%s %s is mounted without authentication", rt.Method, rt.Path)
		}
		n++
		status, _ := apiCall(t, rt.Method, srv.URL+concrete(rt.Path), "", "")
		if status != http.StatusUnauthorized {
			t.Errorf("%s %s without a token = %d, want 401", rt.Method, rt.Path, status)
		}
	}
	if n != 3 {
		t.Fatalf("%d portal-link API routes, want 3", n)
	}
}

func TestAConsoleWithoutPortalLinksAnswersItsPortalRoutes401AndNeverPanics(t *testing.T) {
	t.Parallel()
	fo := newFakeOps()
	fo.add("pos")
	c := New(DefaultConfig(), Deps{Ops: fo, Tokens: tokens(adminToken)})
	srv := httptest.NewServer(c)
	defer srv.Close()
	tc := &testConsole{Console: c, ops: fo, clk: newClock(), srv: srv}
	b, csrf := signedIn(t, tc)
	for _, rt := range c.Routes() {
		if rt.Access == "public" && rt.Method == http.MethodPost {
			continue
		}
		req := request(t, srv.URL, rt, url.Values{"csrf": {csrf}})
		status, _, _ := b.do(req)
		if status >= 500 {
			t.Errorf("%s %s = %d", rt.Method, rt.Path, status)
		}
		if rt.Portal && rt.Access != "public" && status != http.StatusUnauthorized {
			t.Errorf("%s %s without portal links = %d, want 401", rt.Method, rt.Path, status)
		}
	}
	if len(c.Mount()) != 2 {
		t.Fatalf("mounted %d routes, want the two subtrees only", len(c.Mount()))
	}
}

func TestRefusedSigninsPastTheLimitRefuseEveryoneForAMinute(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	b := newBrowser(t, tc.srv)
	for i := range failedSignins {
		if status := b.signIn("wrong-token-0123456789"); status != http.StatusUnauthorized {
			t.Fatalf("refused sign-in %d = %d, want 401", i, status)
		}
	}
	if status := b.signIn(adminToken); status != http.StatusTooManyRequests {
		t.Fatalf("sign-in past the limit = %d, want 429 even with the right token", status)
	}
	tc.clk.advance(time.Minute)
	if status := b.signIn(adminToken); status != http.StatusSeeOther {
		t.Fatalf("sign-in a minute later = %d, want 303", status)
	}
}
