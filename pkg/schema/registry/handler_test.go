package registry

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestHandlerServesConfluentReads(t *testing.T) {
	t.Parallel()
	srv, reg := testServer(t, &MemoryLog{})
	mustRegister(t, reg, "engage.point.balance.updated-value", schemaV1)
	mustRegister(t, reg, "engage.point.balance.updated-value", schemaV2)
	const s = "/subjects/engage.point.balance.updated-value"
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantBody   string // JSON compared semantically, or raw text when raw
		raw        bool
	}{
		{"schema by id", "GET", "/schemas/ids/1", nil, 200, mustJSON(map[string]string{"schema": schemaV1}), false},
		{"raw schema by id", "GET", "/schemas/ids/2/schema", nil, 200, schemaV2, true},
		{"subjects", "GET", "/subjects", nil, 200, `["engage.point.balance.updated-value"]`, false},
		{"versions", "GET", s + "/versions", nil, 200, `[1,2]`, false},
		{"version 1", "GET", s + "/versions/1", nil, 200, mustJSON(SubjectVersion{
			Subject: "engage.point.balance.updated-value", Version: 1, ID: 1, Schema: schemaV1}), false},
		{"latest", "GET", s + "/versions/latest", nil, 200, mustJSON(SubjectVersion{
			Subject: "engage.point.balance.updated-value", Version: 2, ID: 2, Schema: schemaV2}), false},
		{"version -1 is latest", "GET", s + "/versions/-1/schema", nil, 200, schemaV2, true},
		{"lookup registered schema", "POST", s, map[string]string{"schema": schemaV1Spaced}, 200, mustJSON(SubjectVersion{
			Subject: "engage.point.balance.updated-value", Version: 1, ID: 1, Schema: schemaV1}), false},
		{"schema types", "GET", "/schemas/types", nil, 200, `["AVRO"]`, false},
		{"root", "GET", "/", nil, 200, `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := call(t, srv, tt.method, tt.path, tt.body, false)
			if status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", status, tt.wantStatus, body)
			}
			if tt.raw {
				if string(body) != tt.wantBody {
					t.Errorf("body %s, want %s", body, tt.wantBody)
				}
				return
			}
			assertJSONEqual(t, body, tt.wantBody)
		})
	}
}

func TestHandlerAnswersConfluentErrorCodes(t *testing.T) {
	t.Parallel()
	srv, reg := testServer(t, &MemoryLog{})
	mustRegister(t, reg, "s", schemaV1)
	tests := []struct {
		name       string
		method     string
		path       string
		body       any
		wantStatus int
		wantCode   int
	}{
		{"unknown schema id", "GET", "/schemas/ids/99", nil, 404, CodeSchemaNotFound},
		{"non-numeric schema id", "GET", "/schemas/ids/x", nil, 404, CodeSchemaNotFound},
		{"unknown subject versions", "GET", "/subjects/nope/versions", nil, 404, CodeSubjectNotFound},
		{"unknown subject latest", "GET", "/subjects/nope/versions/latest", nil, 404, CodeSubjectNotFound},
		{"unknown version", "GET", "/subjects/s/versions/7", nil, 404, CodeVersionNotFound},
		{"invalid version", "GET", "/subjects/s/versions/zero", nil, 422, CodeInvalidVersion},
		{"lookup unknown subject", "POST", "/subjects/nope", map[string]string{"schema": schemaV1}, 404, CodeSubjectNotFound},
		{"lookup unregistered schema", "POST", "/subjects/s", map[string]string{"schema": schemaOther}, 404, CodeSchemaNotFound},
		{"register malformed schema", "POST", "/subjects/s/versions", map[string]string{"schema": `{"type":"record"`}, 422, CodeInvalidSchema},
		{"register unknown type", "POST", "/subjects/s/versions", map[string]string{"schema": `{"type":"recrod","name":"X"}`}, 422, CodeInvalidSchema},
		{"register empty schema", "POST", "/subjects/s/versions", map[string]string{"schema": ""}, 422, CodeInvalidSchema},
		{"register protobuf", "POST", "/subjects/s/versions", map[string]string{"schema": "syntax", "schemaType": "PROTOBUF"}, 422, CodeInvalidSchema},
		{"register with references", "POST", "/subjects/s/versions", map[string]any{"schema": schemaV1,
			"references": []map[string]any{{"name": "x", "subject": "y", "version": 1}}}, 422, CodeInvalidSchema},
		{"register bad json", "POST", "/subjects/s/versions", "not an object", 400, 400},
		{"unknown path", "GET", "/nothing/here", nil, 404, 404},
		{"delete unknown subject", "DELETE", "/subjects/nope", nil, 404, CodeSubjectNotFound},
		{"subject without own config", "GET", "/config/s", nil, 404, CodeSubjectLevelNotFound},
		{"invalid compatibility level", "PUT", "/config", map[string]string{"compatibility": "SIDEWAYS"}, 422, CodeInvalidCompatibility},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body := call(t, srv, tt.method, tt.path, tt.body, true)
			e := errorCode(t, body)
			if status != tt.wantStatus || e.Code != tt.wantCode || e.Message == "" {
				t.Fatalf("got %d %+v, want status %d error_code %d with a message", status, e, tt.wantStatus, tt.wantCode)
			}
		})
	}
}

func TestHandlerRequiresAuthForWritesOnly(t *testing.T) {
	t.Parallel()
	srv, reg := testServer(t, &MemoryLog{})
	mustRegister(t, reg, "s", schemaV1)
	reg1 := map[string]string{"schema": schemaV1}
	writes := []struct{ method, path string }{
		{"POST", "/subjects/s/versions"},
		{"PUT", "/config"},
		{"PUT", "/config/s"},
		{"DELETE", "/config/s"},
		{"DELETE", "/subjects/s"},
	}
	for _, w := range writes {
		t.Run(w.method+" "+w.path+" without credentials is 401", func(t *testing.T) {
			t.Parallel()
			status, body := call(t, srv, w.method, w.path, map[string]string{"schema": schemaV1, "compatibility": "NONE"}, false)
			if e := errorCode(t, body); status != http.StatusUnauthorized || e.Code != CodeUnauthorized {
				t.Fatalf("got %d %+v, want 401", status, e)
			}
		})
	}
	creds := []struct {
		name  string
		set   func(*http.Request)
		wantS int
	}{
		{"bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+testToken) }, 200},
		{"basic with token as password", func(r *http.Request) { r.SetBasicAuth("any", testToken) }, 200},
		{"wrong bearer token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"wrong basic password", func(r *http.Request) { r.SetBasicAuth("any", "nope") }, 401},
	}
	for _, c := range creds {
		t.Run("register with "+c.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("POST", srv.URL+testPrefix+"/subjects/s/versions", strings.NewReader(mustJSON(reg1)))
			c.set(req)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.wantS {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.wantS)
			}
		})
	}
	t.Run("reads are open", func(t *testing.T) {
		t.Parallel()
		for _, p := range []string{"/schemas/ids/1", "/subjects", "/subjects/s/versions/latest", "/config"} {
			if status, body := call(t, srv, "GET", p, nil, false); status != 200 {
				t.Errorf("GET %s without credentials: %d %s", p, status, body)
			}
		}
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func assertJSONEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body %s: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want %s: %v", want, err)
	}
	if mustJSON(g) != mustJSON(w) {
		t.Errorf("body %s, want %s", got, want)
	}
}

// downLog is a Log whose Kafka is away.
type downLog struct{}

func (downLog) Append(context.Context, []byte, []byte) error {
	return errors.New("kafka: write: dial tcp: connection refused")
}

func TestHandlerAnswers503WhenTheLogIsDown(t *testing.T) {
	t.Parallel()
	srv, _ := testServer(t, downLog{})
	status, body := call(t, srv, "POST", "/subjects/s/versions", map[string]string{"schema": schemaV1}, true)
	if status != http.StatusServiceUnavailable || errorCode(t, body).Code != CodeBackendStore {
		t.Fatalf("register while the log is down: %d %s, want 503 with code %d", status, body, CodeBackendStore)
	}
}
