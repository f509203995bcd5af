package console

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// apiServer mounts the console on the API router, as cmd/engagehub does.
func apiServer(t *testing.T, tc *testConsole) *httptest.Server {
	t.Helper()
	router := httpapi.NewRouter(httpapi.NewAuth([]string{adminToken}))
	router.Handle(tc.Mount()...)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return srv
}

func apiCall(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, sb.String()
}

func TestPortalLinkAPICreatesAnExpiringLinkThatOpensThePortalUntilRevoked(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	srv := apiServer(t, tc)
	status, body := apiCall(t, http.MethodPost, srv.URL+"/v1/subscriptions/pos/portal-links", adminToken, `{"ttl": "2h"}`)
	if status != http.StatusCreated {
		t.Fatalf("create = %d %s", status, body)
	}
	var created struct {
		ID        string    `json:"id"`
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expiresAt"`
	}
	if err := json.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.URL, srv.URL+"/portal/open/") || !created.ExpiresAt.Equal(tc.clk.now().Add(2*time.Hour)) {
		t.Fatalf("created = %+v", created)
	}
	b := newBrowser(t, srv)
	if status, _, _ := b.get(strings.TrimPrefix(created.URL, srv.URL)); status != http.StatusOK {
		t.Fatalf("open link = %d", status)
	}
	if status, _, _ := b.get("/portal/s/pos/"); status != http.StatusOK {
		t.Fatalf("portal = %d", status)
	}
	if status, body := apiCall(t, http.MethodGet, srv.URL+"/v1/subscriptions/pos/portal-links", adminToken, ""); status != http.StatusOK ||
		!strings.Contains(body, created.ID) || strings.Contains(body, strings.TrimPrefix(created.URL, srv.URL+"/portal/open/")) {
		t.Fatalf("list = %d %s (must name the link, never its token)", status, body)
	}
	if status, body := apiCall(t, http.MethodDelete, srv.URL+"/v1/subscriptions/pos/portal-links/"+created.ID, adminToken, ""); status != http.StatusNoContent {
		t.Fatalf("revoke = %d %s", status, body)
	}
	if status, _, _ := b.get("/portal/s/pos/"); status != http.StatusUnauthorized {
		t.Fatalf("portal after revocation = %d, want 401", status)
	}
}

func TestPortalLinkAPIRefusesBadRequests(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	srv := apiServer(t, tc)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		says                            string
	}{
		{"no token", http.MethodPost, "/v1/subscriptions/pos/portal-links", "", "", http.StatusUnauthorized, "bearer"},
		{"wrong token", http.MethodPost, "/v1/subscriptions/pos/portal-links", "nope-0123456789abc", "", http.StatusUnauthorized, "bearer"},
		{"unknown subscription", http.MethodPost, "/v1/subscriptions/nope/portal-links", adminToken, "", http.StatusNotFound, "nope"},
		{"bad ttl", http.MethodPost, "/v1/subscriptions/pos/portal-links", adminToken, `{"ttl": "forever"}`, http.StatusBadRequest, "ttl"},
		{"ttl over the max", http.MethodPost, "/v1/subscriptions/pos/portal-links", adminToken, `{"ttl": "10000h"}`, http.StatusBadRequest, "ttl"},
		{"broken body", http.MethodPost, "/v1/subscriptions/pos/portal-links", adminToken, `{"ttl":`, http.StatusBadRequest, "body"},
		{"revoke unknown link", http.MethodDelete, "/v1/subscriptions/pos/portal-links/nolink", adminToken, "", http.StatusNotFound, "linkId"},
		{"list unknown subscription", http.MethodGet, "/v1/subscriptions/nope/portal-links", adminToken, "", http.StatusNotFound, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := apiCall(t, tt.method, srv.URL+tt.path, tt.token, tt.body)
			if status != tt.status || !strings.Contains(body, tt.says) {
				t.Fatalf("%s %s = %d %s, want %d naming %q", tt.method, tt.path, status, body, tt.status, tt.says)
			}
		})
	}
}

func TestARevokedLinkCannotBeRevokedThroughAnotherSubscription(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t)
	srv := apiServer(t, tc)
	ln, _, _ := tc.links.Create(t.Context(), "pos", time.Hour)
	if status, _ := apiCall(t, http.MethodDelete, srv.URL+"/v1/subscriptions/crm/portal-links/"+ln.ID, adminToken, ""); status != http.StatusNotFound {
		t.Fatalf("revoke pos's link as crm's = %d, want 404", status)
	}
}
