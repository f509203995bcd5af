package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

const testToken = "router-test-token-0123"

func ok(status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) })
}

// newRouter has an open and an authenticated route, and a subtree mount.
func newRouter() *httpapi.Router {
	r := httpapi.NewRouter(httpapi.NewAuth([]string{testToken, ""}))
	r.Handle(
		httpapi.Route{Method: http.MethodGet, Path: "/things", Handler: ok(http.StatusOK)},
		httpapi.Route{Method: http.MethodPost, Path: "/things", Authenticated: true, Handler: ok(http.StatusCreated)},
		httpapi.Route{Method: http.MethodDelete, Path: "/things/{id}", Authenticated: true, Handler: ok(http.StatusNoContent)},
		httpapi.Route{Path: "/tree/", Handler: ok(http.StatusAccepted)},
	)
	return r
}

func errorOf(t *testing.T, w *httptest.ResponseRecorder) httpapi.ErrorDetail {
	t.Helper()
	var body httpapi.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("not a JSON error (%q): %s", w.Header().Get("Content-Type"), w.Body)
	}
	return body.Error
}

func TestRouterDispatchesByMethodAndPath(t *testing.T) {
	t.Parallel()
	r := newRouter()
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{http.MethodGet, "/things", http.StatusOK, "", ""},
		{http.MethodHead, "/things", http.StatusOK, "", ""},
		{http.MethodPut, "/tree/any/depth", http.StatusAccepted, "", ""},
		{http.MethodGet, "/nothing", http.StatusNotFound, "not_found", ""},
		{http.MethodGet, "/things/7/more", http.StatusNotFound, "not_found", ""},
		{http.MethodPut, "/things", http.StatusMethodNotAllowed, "method_not_allowed", "GET, HEAD, POST"},
		{http.MethodGet, "/things/7", http.StatusMethodNotAllowed, "method_not_allowed", "DELETE"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if w.Header().Get("Allow") != tt.allow {
				t.Fatalf("Allow = %q, want %q", w.Header().Get("Allow"), tt.allow)
			}
			if tt.code != "" {
				if got := errorOf(t, w).Code; got != tt.code {
					t.Fatalf("code = %q, want %q", got, tt.code)
				}
			}
		})
	}
}

func TestAuthenticatedRoutesNeedAKnownToken(t *testing.T) {
	t.Parallel()
	r := newRouter()
	tests := []struct {
		name   string
		set    func(*http.Request)
		status int
	}{
		{"no token", func(*http.Request) {}, http.StatusUnauthorized},
		{"unknown token", func(q *http.Request) { q.Header.Set("Authorization", "Bearer not-the-token-000000") }, http.StatusUnauthorized},
		{"token as prefix", func(q *http.Request) { q.Header.Set("Authorization", "Bearer "+testToken[:10]) }, http.StatusUnauthorized},
		{"empty configured token does not match empty", func(q *http.Request) { q.Header.Set("Authorization", "Bearer ") }, http.StatusUnauthorized},
		{"bearer", func(q *http.Request) { q.Header.Set("Authorization", "Bearer "+testToken) }, http.StatusCreated},
		{"bearer, any case", func(q *http.Request) { q.Header.Set("Authorization", "bEaReR "+testToken) }, http.StatusCreated},
		{"basic password", func(q *http.Request) { q.SetBasicAuth("any-user", testToken) }, http.StatusCreated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(http.MethodPost, "/things", nil)
			tt.set(req)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			if w.Code != tt.status {
				t.Fatalf("status = %d, want %d", w.Code, tt.status)
			}
			if tt.status == http.StatusUnauthorized {
				if errorOf(t, w).Code != "unauthorized" || w.Header().Get("WWW-Authenticate") == "" {
					t.Fatalf("401 without its code or WWW-Authenticate: %v %s", w.Header(), w.Body)
				}
			}
		})
	}
}

func TestRoutesAreListedByPathThenMethod(t *testing.T) {
	t.Parallel()
	var got []string
	for _, rt := range newRouter().Routes() {
		got = append(got, rt.Method+" "+rt.Path)
	}
	want := []string{"GET /things", "POST /things", "DELETE /things/{id}", " /tree/"}
	if len(got) != len(want) {
		t.Fatalf("Routes = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Routes = %q, want %q", got, want)
		}
	}
}
