package admin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

const token = "test-token-0123456789"

// newServer serves the subscription routes and /openapi.json over an
// in-memory store.
func newServer(t *testing.T) (*httptest.Server, *httpapi.Router) {
	t.Helper()
	c, err := subscription.NewCipher(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	store, err := subscription.Open(context.Background(), subscriptiontest.NewTopic().Opener(), subscription.DefaultConfig(), c, subscription.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := httpapi.NewRouter(httpapi.NewAuth([]string{token}))
	router.Handle(NewSubscriptions(ops.New(ops.Deps{Store: store}), nil).Routes()...)
	router.Handle(NewOpenAPI(router, "test").Routes()...)
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return srv, router
}

func call(t *testing.T, srv *httptest.Server, method, path, contentType, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

const validBody = `{"id":"pos-sync","description":"POS loyalty sync","eventTypes":["point.balance.updated","contact.*"],
 "destination":{"type":"webhook","url":"https://pos.example.com/hooks/engage","headers":{"x-team":"pos"},"timeout":"15s"},
 "ordering":"key","rateLimit":200,"enabled":true}`

func TestSubscriptionAPIStatuses(t *testing.T) {
	srv, _ := newServer(t)
	const jsonCT = "application/json"
	if status, body := call(t, srv, "POST", "/v1/subscriptions", jsonCT, validBody); status != 201 || !strings.Contains(body, `"secret":"whsec_`) {
		t.Fatalf("create = %d %s", status, body)
	}
	tests := []struct {
		name, method, path, ct, body string
		status                       int
		contains                     string
	}{
		{"list", "GET", "/v1/subscriptions", "", "", 200, `"id":"pos-sync"`},
		{"get hides the secret", "GET", "/v1/subscriptions/pos-sync", "", "", 200, `"timeout":"15s"`},
		{"duplicate", "POST", "/v1/subscriptions", jsonCT, validBody, 409, "subscription_exists"},
		{"malformed json", "POST", "/v1/subscriptions", jsonCT, `{"id":`, 400, "malformed_json"},
		{"validation names the field", "POST", "/v1/subscriptions", jsonCT, strings.Replace(validBody, `https://pos.example.com/hooks/engage`, `ftp://x`, 1), 422, "destination.url: must be an absolute http(s) URL"},
		{"unknown catalog type", "POST", "/v1/subscriptions", jsonCT, strings.Replace(validBody, `"contact.*"`, `"contact.gone"`, 1), 422, "eventTypes[1]"},
		{"wrong json type", "POST", "/v1/subscriptions", jsonCT, `{"id":7}`, 422, "id: must be a string"},
		{"form content type", "POST", "/v1/subscriptions", "application/x-www-form-urlencoded", "id=x", 415, "unsupported_media_type"},
		{"no content type", "POST", "/v1/subscriptions", "", validBody, 415, "unsupported_media_type"},
		{"body too large", "POST", "/v1/subscriptions", jsonCT, `{"description":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413, "body_too_large"},
		{"unknown id", "GET", "/v1/subscriptions/nope", "", "", 404, "not_found"},
		{"patch", "PATCH", "/v1/subscriptions/pos-sync", "application/merge-patch+json", `{"rateLimit":5,"destination":{"headers":{"x-team":null}}}`, 200, `"rateLimit":5`},
		{"patch invalid", "PATCH", "/v1/subscriptions/pos-sync", jsonCT, `{"ordering":"random"}`, 422, "ordering"},
		{"patch unknown id", "PATCH", "/v1/subscriptions/nope", jsonCT, `{}`, 404, "not_found"},
		{"put", "PUT", "/v1/subscriptions/pos-sync", jsonCT, strings.Replace(validBody, `"rateLimit":200`, `"rateLimit":9`, 1), 200, `"rateLimit":9`},
		{"put changing id", "PUT", "/v1/subscriptions/other", jsonCT, validBody, 422, "id: cannot change"},
		{"rotate", "POST", "/v1/subscriptions/pos-sync/secret/rotate", "", "", 200, `"secret":"whsec_`},
		{"rotate unknown", "POST", "/v1/subscriptions/nope/secret/rotate", "", "", 404, "not_found"},
		{"delete", "DELETE", "/v1/subscriptions/pos-sync", "", "", 204, ""},
		{"delete again", "DELETE", "/v1/subscriptions/pos-sync", "", "", 404, "not_found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := call(t, srv, tc.method, tc.path, tc.ct, tc.body)
			if status != tc.status || !strings.Contains(body, tc.contains) {
				t.Fatalf("%s %s = %d %s; want %d containing %q", tc.method, tc.path, status, body, tc.status, tc.contains)
			}
			if strings.Contains(tc.name, "hides") && strings.Contains(body, "whsec_") {
				t.Fatal("GET shows the secret")
			}
		})
	}
}

func TestSubscriptionAPIRequiresAToken(t *testing.T) {
	srv, _ := newServer(t)
	resp, err := srv.Client().Get(srv.URL + "/v1/subscriptions")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without token = %d, want 401", resp.StatusCode)
	}
}

func TestClientCreatesListsGetsAndDeletes(t *testing.T) {
	srv, _ := newServer(t)
	ctx := context.Background()
	c := NewClient(srv.URL+"/", token)
	created, err := c.Create(ctx, json.RawMessage(validBody))
	if err != nil || !strings.HasPrefix(created.Secret, "whsec_") || created.ID != "pos-sync" {
		t.Fatalf("Create = %+v, %v", created, err)
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("List = %v, %v", list, err)
	}
	got, err := c.Get(ctx, "pos-sync")
	if err != nil || got.Destination.Timeout.Std().String() != "15s" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if rotated, err := c.RotateSecret(ctx, "pos-sync"); err != nil || rotated.Secret == created.Secret {
		t.Fatalf("RotateSecret = %v", err)
	}
	if err := c.Delete(ctx, "pos-sync"); err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(ctx, "pos-sync")
	var apiErr *APIError
	if !asAPIError(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "not_found" {
		t.Fatalf("Get after delete = %v, want a 404 APIError", err)
	}
	if _, err := NewClient(srv.URL, "wrong-token-0000000").List(ctx); !asAPIError(err, &apiErr) || apiErr.Status != 401 {
		t.Fatalf("List with a wrong token = %v, want 401", err)
	}
}
