package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestPortalLinkHoldsAcrossARestartAndItsRevocationToo(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	base := "http://" + cfg.HTTP.Listen
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/subscriptions", strings.NewReader(
		`{"id":"pos-sync","eventTypes":["contact.*"],"destination":{"type":"webhook","url":"http://127.0.0.1:1/hook"}}`))
	req.Header.Set("Content-Type", "application/json")
	if status, _, body := authorized(t, req); status != http.StatusCreated {
		t.Fatalf("create subscription = %d %s", status, body)
	}
	req, _ = http.NewRequest(http.MethodPost, base+"/v1/subscriptions/pos-sync/portal-links", strings.NewReader(`{"ttl":"1h"}`))
	status, _, body := authorized(t, req)
	var link struct{ ID, URL string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &link) != nil || !strings.HasPrefix(link.URL, base+"/portal/open/") {
		t.Fatalf("create portal link = %d %s", status, body)
	}
	stop()

	_, stop = startApp(t, cfg)
	if status, page := portalPage(t, link.URL, base+"/portal/s/pos-sync/"); status != http.StatusOK || !strings.Contains(page, "127.0.0.1:1/hook") {
		t.Fatalf("portal after a restart = %d:\n%.300s", status, page)
	}
	req, _ = http.NewRequest(http.MethodDelete, base+"/v1/subscriptions/pos-sync/portal-links/"+link.ID, nil)
	if status, _, body := authorized(t, req); status != http.StatusNoContent {
		t.Fatalf("revoke = %d %s", status, body)
	}
	stop()

	_, stop = startApp(t, cfg)
	defer stop()
	if status, _ := portalPage(t, link.URL, base+"/portal/s/pos-sync/"); status != http.StatusUnauthorized {
		t.Fatalf("revoked link after a restart = %d, want 401", status)
	}
}

func TestConsoleIsServedBehindSignin(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/console/subscriptions")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/signin") {
		t.Fatalf("/console/subscriptions without a session = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if status, page := get(t, base+"/console/signin"); status != http.StatusOK || !strings.Contains(page, `type="password"`) {
		t.Fatalf("sign-in page = %d", status)
	}
	if status, css := get(t, base+"/console/assets/style.css"); status != http.StatusOK || !strings.Contains(css, "body") {
		t.Fatalf("stylesheet = %d", status)
	}
}

// portalPage opens a portal link and then page with the cookie it set.
func portalPage(t *testing.T, link, page string) (int, string) {
	t.Helper()
	res, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, ""
	}
	req, _ := http.NewRequest(http.MethodGet, page, nil)
	for _, c := range res.Cookies() {
		req.AddCookie(c)
	}
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 8192)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, sb.String()
}
