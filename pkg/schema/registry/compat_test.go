package registry

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestRegisterEnforcesCompatibilityLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		level    Level // "" keeps the default, BACKWARD
		history  []string
		next     string
		wantCode int // 0: registered
		wantWhy  string
	}{
		{"backward refuses a new field without default", "", []string{schemaV1}, schemaV2Required, 409, "balance"},
		{"backward accepts a new field with default", "", []string{schemaV1}, schemaV2, 0, ""},
		{"backward accepts dropping a field", "", []string{schemaV2}, schemaV3Dropped, 0, ""},
		{"none accepts a new field without default", None, []string{schemaV1}, schemaV2Required, 0, ""},
		{"forward refuses dropping a field old readers need", Forward, []string{schemaV2}, schemaV3Dropped, 409, "contactId"},
		{"forward accepts a new field without default", Forward, []string{schemaV1}, schemaV2Required, 0, ""},
		{"full refuses a new field without default", Full, []string{schemaV1}, schemaV2Required, 409, "balance"},
		{"backward checks only the latest version", Backward, []string{schemaV1, schemaV2Required, schemaV2}, schemaV3Dropped, 0, ""},
		{"backward transitive checks every version", BackwardTransitive, []string{schemaV3Dropped, schemaV2}, schemaV2Required, 409, "version 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, reg := testServer(t, &MemoryLog{})
			if err := reg.SetLevel(context.Background(), "s", None); err != nil {
				t.Fatal(err)
			}
			for _, h := range tt.history {
				mustRegister(t, reg, "s", h)
			}
			if status, body := call(t, srv, "PUT", "/config/s", map[string]Level{"compatibility": levelOr(tt.level)}, true); status != 200 {
				t.Fatalf("put config: %d %s", status, body)
			}
			status, body := call(t, srv, "POST", "/subjects/s/versions", map[string]string{"schema": tt.next}, true)
			if tt.wantCode == 0 {
				if status != 200 {
					t.Fatalf("register: %d %s, want 200", status, body)
				}
				return
			}
			e := errorCode(t, body)
			if status != 409 || e.Code != tt.wantCode || !strings.Contains(e.Message, tt.wantWhy) {
				t.Fatalf("register: %d %+v, want 409 naming %q", status, e, tt.wantWhy)
			}
		})
	}
}

func levelOr(l Level) Level {
	if l == "" {
		return DefaultLevel
	}
	return l
}

func TestCompatibilityEndpoint(t *testing.T) {
	t.Parallel()
	srv, reg := testServer(t, &MemoryLog{})
	mustRegister(t, reg, "s", schemaV1)
	tests := []struct {
		name       string
		path       string
		schema     string
		wantStatus int
		wantOK     bool
	}{
		{"latest, compatible", "/compatibility/subjects/s/versions/latest", schemaV2, 200, true},
		{"latest, incompatible", "/compatibility/subjects/s/versions/latest", schemaV2Required, 200, false},
		{"numbered version", "/compatibility/subjects/s/versions/1", schemaV2Required, 200, false},
		{"all versions (hamba's path)", "/compatibility/subjects/s/versions", schemaV2, 200, true},
		{"unknown subject, all versions", "/compatibility/subjects/new/versions", schemaV2Required, 200, true},
		{"unknown subject, latest", "/compatibility/subjects/new/versions/latest", schemaV2, 404, false},
		{"unknown version", "/compatibility/subjects/s/versions/5", schemaV2, 404, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := call(t, srv, "POST", tt.path, map[string]string{"schema": tt.schema}, false)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if status != 200 {
				return
			}
			var resp compatibilityResponse
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.IsCompatible != tt.wantOK || (len(resp.Messages) == 0) != tt.wantOK {
				t.Fatalf("got %+v, want is_compatible %v with messages only when false", resp, tt.wantOK)
			}
		})
	}
}

func TestConfigGetPut(t *testing.T) {
	t.Parallel()
	srv, _ := testServer(t, &MemoryLog{})
	steps := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantLevel  Level
	}{
		{"global defaults to BACKWARD", "GET", "/config", nil, 200, Backward},
		{"put global", "PUT", "/config", map[string]string{"compatibility": "full"}, 200, Full},
		{"global changed", "GET", "/config", nil, 200, Full},
		{"subject falls back to global on request", "GET", "/config/s?defaultToGlobal=true", nil, 200, Full},
		{"put subject with compatibilityLevel name", "PUT", "/config/s", map[string]string{"compatibilityLevel": "NONE"}, 200, None},
		{"subject level", "GET", "/config/s", nil, 200, None},
		{"global unchanged by subject", "GET", "/config", nil, 200, Full},
		{"delete subject level answers it", "DELETE", "/config/s", nil, 200, None},
		{"subject level gone", "GET", "/config/s", nil, 404, ""},
	}
	for _, s := range steps {
		status, body := call(t, srv, s.method, s.path, s.body, true)
		if status != s.wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", s.name, status, s.wantStatus, body)
		}
		if s.wantLevel == "" {
			continue
		}
		var got struct {
			Level  Level `json:"compatibilityLevel"`
			Compat Level `json:"compatibility"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if got.Compat != s.wantLevel || (s.method == "GET" && got.Level != s.wantLevel) {
			t.Fatalf("%s: got %s, want %s", s.name, body, s.wantLevel)
		}
	}
}
