//go:build browser

package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The console's browser suite (make test-browser): a real headless
// Chromium, driven with chromedp, through the operator's path and the
// subscriber's, on an in-process engagehub with the embedded broker.
// Every step leaves a screenshot in test-artifacts/console/.

func TestBrowserOperatorPathFromSigninToRedrivenDelivery(t *testing.T) {
	s := newBrowserSuite(t)
	s.signIn()
	s.createSubscription("pos-sync", s.recv.srv.URL+"/hooks/engage")
	s.shot("03-subscription-created")

	s.sendSample("contact.created")
	s.waitRows("/console/subscriptions/pos-sync/attempts", `tr.attempt[data-outcome="delivered"]`, 1)
	s.shot("05-attempts-delivered")

	s.recv.set(http.StatusServiceUnavailable, "upstream down: maintenance until 15:00")
	s.sendSample("contact.created")
	s.waitRows("/console/subscriptions/pos-sync/attempts?outcome=retry", `tr.attempt[data-outcome="retry"]`, 1)
	s.expectText(`tr.attempt[data-outcome="retry"] .excerpt`, "upstream down: maintenance")
	if next := s.text(`tr.attempt[data-outcome="retry"] .next-retry`); next == "—" || next == "" {
		t.Fatalf("failed attempt shows no next retry: %q", next)
	}
	s.shot("06-attempts-failure-with-excerpt-and-next-retry")

	s.waitRows("/console/subscriptions/pos-sync/dead-letters", `tr.dead-letter`, 1)
	dead := s.text(`tr.dead-letter code`)
	s.expectText(`tr.dead-letter`, "503") // the last status
	if reason := s.text(`tr.dead-letter .reason`); reason == "" {
		t.Fatal("dead letter shows no reason")
	}
	s.shot("07-dead-letter")

	s.recv.set(http.StatusOK, "ok")
	s.do(chromedp.Click(chromedp.CSS(`button.redrive-one`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	s.expectText(`.flash`, "Redriven 1")
	s.shot("08-redriven")
	s.waitRows("/console/subscriptions/pos-sync/attempts?outcome=delivered", `tr.attempt[data-outcome="delivered"]`, 2)
	s.shot("09-attempts-delivered-after-redrive")
	s.waitRows("/console/subscriptions/pos-sync/dead-letters", `tr.dead-letter.redriven`, 1)
	s.shot("09b-dead-letter-marked-redriven")

	s.navigate(s.base + "/console/subscriptions/pos-sync/attempts")
	s.do(chromedp.Click(chromedp.CSS(`tr.attempt[data-outcome="retry"] summary`)))
	s.expectText(`tr.attempt[data-outcome="retry"] .request-headers`, "webhook-signature")
	if headers := s.text(`tr.attempt[data-outcome="retry"] .request-headers`); strings.Contains(headers, "v1,") {
		t.Fatalf("request headers show a signature: %s", headers)
	}
	s.shot("10-attempts-every-outcome")

	s.navigate(s.base + "/console/trace?q=" + dead)
	s.expectText(`.copies`, "pos-sync")
	s.expectText(`.copies`, "engagehub.deliver.pos-sync")
	if n := s.count(`.copies tr`); n < 2 {
		t.Fatalf("trace of %s shows no fan-out copy", dead)
	}
	s.shot("11-trace-of-the-redriven-event")

	s.navigate(s.base + "/console/subscriptions/pos-sync/replay")
	since := time.Now().Add(-time.Hour).UTC().Format("2006-01-02T15:04")
	s.do(chromedp.SetValue(chromedp.CSS("#since"), since), chromedp.Click(chromedp.CSS("#replay")),
		chromedp.WaitVisible(chromedp.CSS("#replay-state[data-done]"))) // live.js refreshes it while it runs
	s.expectText("#replay-state", "done")
	s.expectText("#replay-percent", "100%")
	s.shot("12-replay-done")

	s.navigate(s.base + "/console/")
	s.expectText(`#subscription-stats`, "pos-sync")
	s.shot("13-overview")
}

func TestBrowserPortalLinkShowsItsOwnSubscriptionOnlyUntilRevoked(t *testing.T) {
	s := newBrowserSuite(t)
	s.signIn()
	s.createSubscription("crm-sync", s.recv.srv.URL+"/crm")
	s.createSubscription("pos-sync", s.recv.srv.URL+"/hooks/engage")
	s.do(chromedp.Click(chromedp.CSS(`#create-portal-link`)), chromedp.WaitVisible(chromedp.CSS(`#portal-link`)))
	link := s.text(`#portal-link`)
	s.shot("10-portal-link-created")

	portal := s.newTab()
	portal.navigate(link)
	portal.do(chromedp.WaitVisible(chromedp.CSS(`#endpoint`)))
	portal.expectText(`#endpoint`, s.recv.srv.URL+"/hooks/engage")
	if html := portal.html(); strings.Contains(html, "crm-sync") {
		t.Fatal("the portal shows another subscription")
	}
	portal.shot("11-portal-own-subscription")

	if status := portal.navigate(s.base + "/portal/s/crm-sync/"); status != http.StatusForbidden {
		t.Fatalf("portal page of another subscription = %d, want 403", status)
	}
	portal.shot("12-portal-other-subscription-refused")

	s.navigate(s.base + "/console/subscriptions/pos-sync")
	s.do(chromedp.Click(chromedp.CSS(`#portal-links button.danger`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	s.expectText(`#portal-links`, "revoked")
	s.shot("13-portal-link-revoked")

	if status := portal.navigate(s.base + "/portal/s/pos-sync/"); status != http.StatusUnauthorized {
		t.Fatalf("portal after revocation = %d, want 401", status)
	}
	portal.expectText(`.error`, "revoked")
	portal.shot("14-portal-refused-after-revocation")
}

// browserSuite is one engagehub, one receiver and one browser tab.
type browserSuite struct {
	t    *testing.T
	base string
	recv *scriptedReceiver
	ctx  context.Context
	dir  string
}

func newBrowserSuite(t *testing.T) *browserSuite {
	t.Helper()
	cfg := testConfig(t, t.TempDir())
	cfg.Sender.RetrySchedule = []time.Duration{0, 2 * time.Second}
	cfg.Sender.RetryJitter = 0
	_, stop := startApp(t, cfg)
	t.Cleanup(stop)
	recv := newScriptedReceiver(t)
	ctx := newBrowser(t)
	dir := artifactDir(t)
	return &browserSuite{t: t, base: "http://" + cfg.HTTP.Listen, recv: recv, ctx: ctx, dir: dir}
}

// newBrowser starts headless Chromium (Debian's package; make test-browser
// installs it) and returns a tab's context.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Fatal("no chromium on PATH: run deploy/chromium/install.sh (make test-browser does)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1360, 900))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// newTab is a second browser with its own cookies (a subscriber's).
func (s *browserSuite) newTab() *browserSuite {
	return &browserSuite{t: s.t, base: s.base, recv: s.recv, ctx: newBrowser(s.t), dir: s.dir}
}

// artifactDir is test-artifacts/console/<test> at the repository's root
// (TEST_ARTIFACTS overrides the root).
func artifactDir(t *testing.T) string {
	root := os.Getenv("TEST_ARTIFACTS")
	if root == "" {
		root = filepath.Join("..", "..", "test-artifacts")
	}
	dir := filepath.Join(root, "console", t.Name())
	_ = os.RemoveAll(dir) // only this run's screenshots
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (s *browserSuite) do(actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		s.shot("failed")
		s.t.Fatalf("browser: %v", err)
	}
}

// navigate loads url and returns the HTTP status of the page it ends on.
func (s *browserSuite) navigate(url string) int {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil {
		s.t.Fatalf("navigate %s: %v", url, err)
	}
	return int(res.Status)
}

func (s *browserSuite) text(css string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		s.shot("failed")
		s.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(txt)
}

func (s *browserSuite) html() string {
	s.t.Helper()
	h, err := chromedp.Run(s.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		s.t.Fatal(err)
	}
	return h
}

func (s *browserSuite) expectText(css, want string) {
	s.t.Helper()
	if got := s.text(css); !strings.Contains(got, want) {
		s.shot("failed")
		s.t.Fatalf("%s shows %q, want it to contain %q", css, got, want)
	}
}

func (s *browserSuite) count(css string) int {
	n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", css)))
	if err != nil {
		s.t.Fatalf("count %s: %v", css, err)
	}
	return n
}

// waitRows reloads path until at least n elements match css (30 s at most).
func (s *browserSuite) waitRows(path, css string, n int) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		s.navigate(s.base + path)
		if s.count(css) >= n {
			return
		}
		if time.Now().After(deadline) {
			s.shot("failed")
			s.t.Fatalf("%s: fewer than %d %s within 30s", path, n, css)
		}
		<-tick.C
	}
}

// shot saves a full-page screenshot as <dir>/<name>.png.
func (s *browserSuite) shot(name string) {
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(s.dir, name+".png"), png, 0o644); err != nil {
		s.t.Logf("screenshot %s: %v", name, err)
	}
}

func (s *browserSuite) signIn() {
	s.t.Helper()
	s.navigate(s.base + "/console/")
	s.expectText("h1", "Sign in")
	s.do(chromedp.SendKeys(chromedp.CSS("#token"), testToken))
	s.shot("01-signin")
	s.do(chromedp.Click(chromedp.CSS("#signin")), chromedp.WaitVisible(chromedp.CSS("#subscription-stats")))
	s.shot("02-overview")
}

func (s *browserSuite) createSubscription(id, url string) {
	s.t.Helper()
	s.navigate(s.base + "/console/subscriptions/new")
	s.do(chromedp.SendKeys(chromedp.CSS("#id"), id),
		chromedp.Click(chromedp.CSS(`input[name="eventType"][value="contact.created"]`)),
		chromedp.SendKeys(chromedp.CSS("#url"), url),
		chromedp.Click(chromedp.CSS("#save")),
		chromedp.WaitVisible(chromedp.CSS("#secret")))
	if secret := s.text("#secret"); !strings.HasPrefix(secret, "whsec_") {
		s.t.Fatalf("created subscription shows secret %q", secret)
	}
}

func (s *browserSuite) sendSample(eventType string) {
	s.t.Helper()
	s.navigate(s.base + "/console/event-types/" + eventType)
	s.do(chromedp.Click(chromedp.CSS("#send-sample")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	s.expectText(".flash", "published to engage."+eventType)
	s.shot("04-sample-published")
}

// scriptedReceiver answers webhooks with the status and body set last.
type scriptedReceiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	status int
	body   string
}

func newScriptedReceiver(t *testing.T) *scriptedReceiver {
	r := &scriptedReceiver{status: http.StatusOK, body: "ok"}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		r.mu.Lock()
		status, body := r.status, r.body
		r.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *scriptedReceiver) set(status int, body string) {
	r.mu.Lock()
	r.status, r.body = status, body
	r.mu.Unlock()
}
