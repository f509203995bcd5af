package console

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	secretShown = regexp.MustCompile(`id="secret">([^<]+)<`)
	linkShown   = regexp.MustCompile(`id="portal-link">[^<]*/portal/open/([^<]+)<`)
)

func TestNoAdminTokenOrSecretAppearsInAnyPageOrAsset(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	tc.seed()
	admin := newBrowser(t, tc.srv)
	admin.signIn(adminToken)
	_, _, form := admin.get("/console/subscriptions/new")
	csrf := csrfOf(t, form)
	var secrets []string
	once := func(status int, page string, re *regexp.Regexp) {
		m := re.FindStringSubmatch(page)
		if status != http.StatusOK || m == nil {
			t.Fatalf("the one-time secret is not shown (%d):\n%.600s", status, page)
		}
		secrets = append(secrets, m[1])
	}
	status, _, page := admin.post("/console/subscriptions", url.Values{"csrf": {csrf}, "id": {"new-sub"},
		"eventType": {"contact.created"}, "destinationType": {"webhook"}, "url": {"https://new.example/hook"}, "enabled": {"true"}})
	once(status, page, secretShown)
	status, _, page = admin.post("/console/subscriptions/pos/rotate", url.Values{"csrf": {csrf}})
	once(status, page, secretShown)
	status, _, page = admin.post("/console/subscriptions/pos/portal-links", url.Values{"csrf": {csrf}})
	once(status, page, linkShown)
	subscriber := newBrowser(t, tc.srv)
	if st, _, _ := subscriber.get("/portal/open/" + secrets[2]); st != http.StatusOK {
		t.Fatalf("open the portal link = %d", st)
	}
	for _, rt := range tc.Routes() {
		if rt.Method != http.MethodGet {
			continue
		}
		b := admin
		if rt.Portal {
			b = subscriber
		}
		for _, id := range []string{"pos", "new-sub"} {
			path := strings.Replace(concrete(rt.Path), "/pos", "/"+id, 1)
			_, h, body := b.get(path)
			for _, s := range append([]string{adminToken}, secrets...) {
				if strings.Contains(body, s) || strings.Contains(strings.Join(h.Values("Set-Cookie"), " "), adminToken) {
					t.Errorf("GET %s shows a secret or the admin token", path)
				}
			}
		}
	}
	for _, asset := range []string{"style.css", "live.js"} {
		_, _, body := admin.get("/console/assets/" + asset)
		if len(body) < 100 || strings.Contains(body, adminToken) || strings.Contains(body, "whsec_") {
			t.Errorf("asset %s is missing or holds a secret", asset)
		}
	}
}
