package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

func TestReadyzAnswers200OnlyWhenEveryCheckPasses(t *testing.T) {
	t.Parallel()
	kafkaDown := errors.New("kafka: no broker answers")
	tests := []struct {
		name   string
		checks map[string]error
		status int
		body   string
	}{
		{"no checks yet", nil, http.StatusServiceUnavailable, `"startup":"starting"`},
		{"one failing", map[string]error{"kafka": kafkaDown, "ingest": nil}, http.StatusServiceUnavailable, `"kafka":"kafka: no broker answers"`},
		{"all pass", map[string]error{"kafka": nil, "ingest": nil}, http.StatusOK, `"status":"ready"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := httpapi.NewHealth()
			for name, err := range tt.checks {
				h.Add(name, func(context.Context) error { return err })
			}
			r := httpapi.NewRouter(httpapi.NewAuth(nil))
			r.Handle(h.Routes()...)
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
				t.Fatalf("/readyz = %d %s, want %d with %s", w.Code, w.Body, tt.status, tt.body)
			}
			if len(h.Failing(context.Background())) == 0 != (tt.status == http.StatusOK) {
				t.Fatalf("Failing disagrees with /readyz")
			}
			w = httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if w.Code != http.StatusOK {
				t.Fatalf("/healthz = %d, want 200 whatever readiness says", w.Code)
			}
		})
	}
}
