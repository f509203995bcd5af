package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFindSecretAtTheTopOrOneLevelDown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, answer, want string
		ok                 bool
	}{
		{"top", `{"id":"a","secret":"whsec_abc"}`, "whsec_abc", true},
		{"nested", `{"subscription":{"id":"a","secret":"whsec_def"}}`, "whsec_def", true},
		{"absent", `{"id":"a"}`, "", false},
		{"empty", `{"secret":""}`, "", false},
		{"not json", `oops`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := findSecret([]byte(tt.answer))
			if got != tt.want || ok != tt.ok {
				t.Fatalf("findSecret = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestAdminCreatesAWildcardSubscriptionAndReturnsItsSecret(t *testing.T) {
	t.Parallel()
	var got subscriptionRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/v1/subscriptions" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_ = json.NewDecoder(r.Body).Decode(&got)
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":"s","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}`))
	}))
	defer srv.Close()
	a := &Admin{base: srv.URL, token: "tok", client: srv.Client()}
	secret, err := a.Create(context.Background(), "s", "http://127.0.0.1:1/hook/0")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 24 {
		t.Errorf("secret is %d bytes, want 24", len(secret))
	}
	if got.ID != "s" || got.EventTypes[0] != "*" || got.Destination["url"] != "http://127.0.0.1:1/hook/0" || got.Ordering != "key" ||
		got.Filter != "" || got.Transform != "" {
		t.Errorf("request = %+v", got)
	}
	a.filter, a.transform = `payload.contactType == "Member"`, "function handler(webhook) { return webhook }"
	if _, err := a.Create(context.Background(), "s", "http://127.0.0.1:1/hook/0"); err != nil {
		t.Fatal(err)
	}
	if got.Filter != a.filter || got.Transform != a.transform {
		t.Errorf("with a filter and a transformation: request = %+v", got)
	}
}

func TestAdminSaysWhenTheAPIIsMissing(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	a := &Admin{base: srv.URL, token: "tok", client: srv.Client()}
	_, err := a.Create(context.Background(), "s", "http://x")
	if err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Fatalf("err = %v; want one naming status 404", err)
	}
	if err := a.Delete(context.Background(), "s"); err != nil {
		t.Fatalf("Delete of a missing subscription: %v; want nil", err)
	}
}
