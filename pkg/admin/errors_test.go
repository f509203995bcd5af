package admin

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/ops"
)

func TestOpsErrorsMapToTheirStatusesNamingTheField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		err        error
		status     int
		code, msg  string
		retryAfter string
	}{
		{"not found", &ops.NotFound{What: "subscription", ID: "x"}, 404, "not_found", `subscription "x" not found`, ""},
		{"malformed", &ops.Malformed{Field: "limit", Message: "must be an integer"}, 400, "malformed_request", "limit: must be an integer", ""},
		{"invalid", &ops.Invalid{Field: "since", Message: "required", Code: "invalid_since"}, 422, "invalid_since", "since: required", ""},
		{"conflict", &ops.Conflict{Code: "subscription_exists", Message: "exists"}, 409, "subscription_exists", "exists", ""},
		{"too large", &ops.TooLarge{Code: "too_large", Message: "big"}, 413, "too_large", "big", ""},
		{"unavailable", &ops.Unavailable{Code: "kafka_unavailable", Message: "retry", RetryAfter: 5 * time.Second, Err: errors.New("eof")}, 503, "kafka_unavailable", "retry", "5"},
		{"anything else", errors.New("boom"), 503, "unavailable", "the operation failed; retry", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			writeError(w, zap.NewNop(), tc.err)
			var body struct {
				Error struct{ Code, Message string }
			}
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if w.Code != tc.status || body.Error.Code != tc.code || body.Error.Message != tc.msg || w.Header().Get("Retry-After") != tc.retryAfter {
				t.Fatalf("got %d %+v Retry-After %q, want %d %s %q %q", w.Code, body.Error, w.Header().Get("Retry-After"), tc.status, tc.code, tc.msg, tc.retryAfter)
			}
		})
	}
}
