package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A subscription's OAuth2 destination auth travels from the admin API
// through the sealed store to the sender: the receiver gets the bearer
// token, the token is fetched once, and the client secret never shows.
func TestOAuth2DestinationAuthEndToEnd(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	var fetches atomic.Int32
	tokens := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "engagehub" || secret != "e2e-client-secret" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"e2e-token","token_type":"Bearer","expires_in":3600}`))
	}))
	defer tokens.Close()
	rcv := newRecorder(t)
	sub, _ := json.Marshal(map[string]any{"id": "oauth", "eventTypes": []string{"contact.deleted"},
		"destination": map[string]any{"type": "webhook", "url": rcv.url, "auth": map[string]any{
			"oauth2": map[string]any{"tokenUrl": tokens.URL + "/token", "clientId": "engagehub", "clientSecret": "e2e-client-secret"}}}})
	if status, body := adminCall(t, http.MethodPost, base+"/v1/subscriptions", string(sub)); status != http.StatusCreated || strings.Contains(body, "e2e-client-secret") {
		t.Fatalf("create = %d %s", status, body)
	}
	if _, body := adminCall(t, http.MethodGet, base+"/v1/subscriptions/oauth", ""); strings.Contains(body, "e2e-client-secret") || !strings.Contains(body, `"clientId":"engagehub"`) {
		t.Fatalf("GET = %s", body)
	}
	postEvents(t, base, `{"id":"o1","eventType":"contact.deleted","payload":{"contactId":"c1"}}`,
		`{"id":"o2","eventType":"contact.deleted","payload":{"contactId":"c2"}}`)
	eventually(t, 60*time.Second, "both events", func() bool { return len(rcv.ids()) >= 2 })
	for _, q := range rcv.all() {
		if q.header.Get("Authorization") != "Bearer e2e-token" {
			t.Fatalf("request %s: Authorization %q, want the bearer token", q.header.Get("webhook-id"), q.header.Get("Authorization"))
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("token fetches = %d, want 1 (cached)", n)
	}
	if got := rcv.ids(); !slices.Contains(got, "msg_o1") || !slices.Contains(got, "msg_o2") {
		t.Fatalf("received %v", got)
	}
}
