package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/engagehub/engagehub/pkg/admin"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// call is one scripted request: the route it exercises and the status the
// server must answer.
type call struct {
	route, method, path, body, contentType string
	status                                 int
	noAuth                                 bool
}

const engageSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// liveServer starts every role with an Engage secret and returns its base
// URL and router.
func liveServer(t *testing.T) (string, *app) {
	t.Helper()
	t.Setenv("ENGAGEHUB_INGEST_ENGAGE_SECRETS", engageSecret)
	cfg := testConfig(t, t.TempDir())
	a, stop := startApp(t, cfg)
	t.Cleanup(stop)
	return "http://" + cfg.HTTP.Listen, a
}

// fetchDocument reads /openapi.json and validates it as OpenAPI 3.1.
func fetchDocument(t *testing.T, base string) ([]byte, validator.Validator) {
	t.Helper()
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	spec, _ := io.ReadAll(resp.Body)
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("libopenapi: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("invalid OpenAPI 3.1: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return spec, v
}

// exercise sends c and checks the status and that the response is what
// the document says for it; it returns the body.
func exercise(t *testing.T, v validator.Validator, base string, c call) []byte {
	t.Helper()
	req, _ := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
	if !c.noAuth {
		req.Header.Set("Authorization", "Bearer "+testToken)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != c.status {
		t.Fatalf("%s %s = %d %s, want %d", c.method, c.path, resp.StatusCode, body, c.status)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	req.Body = io.NopCloser(strings.NewReader(c.body))
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		for _, e := range errs {
			t.Errorf("%s %s → %d: the document disagrees: %s: %s %v", c.method, c.path, c.status, e.Message, e.Reason, e.SchemaValidationErrors)
		}
	}
	return body
}

func TestOpenAPIIsWhatTheServerAnswers(t *testing.T) {
	base, a := liveServer(t)
	spec, v := fetchDocument(t, base)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	t.Cleanup(hook.Close)
	sub := `{"id":"pos-sync","eventTypes":["point.balance.updated"],"destination":{"type":"webhook","url":"` + hook.URL + `"}}`
	edSub := `{"id":"pos-ed","signature":"ed25519","eventTypes":["point.balance.updated"],"destination":{"type":"webhook","url":"` + hook.URL + `"}}`
	event := `{"id":"ev-1","eventType":"point.balance.updated","payload":{"balance":"12.5","contactId":"c1","accountId":7,"definitionId":"d"}}`
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	j := "application/json"
	calls := []call{
		{route: "GET /healthz", method: "GET", path: "/healthz", status: 200, noAuth: true},
		{route: "GET /readyz", method: "GET", path: "/readyz", status: 200, noAuth: true},
		{route: "GET /metrics", method: "GET", path: "/metrics", status: 200, noAuth: true},
		{route: "GET /openapi.json", method: "GET", path: "/openapi.json", status: 200, noAuth: true},
		{route: "GET /debug/pprof/", method: "GET", path: "/debug/pprof/", status: 200},
		{route: "GET /debug/pprof/", method: "GET", path: "/debug/pprof/", status: 401, noAuth: true},
		{route: "GET /debug/pprof/profile", method: "GET", path: "/debug/pprof/profile?seconds=1", status: 200},
		{route: "GET /v1/event-types", method: "GET", path: "/v1/event-types", status: 200, noAuth: true},
		{route: "GET /v1/event-types/{type}", method: "GET", path: "/v1/event-types/contact.created", status: 200, noAuth: true},
		{route: "GET /v1/event-types/{type}", method: "GET", path: "/v1/event-types/nope", status: 404, noAuth: true},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: sub, contentType: j, status: 201},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: sub, contentType: j, status: 409},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: `{`, contentType: j, status: 400},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: sub, status: 415},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: `{"id":"x"}`, contentType: j, status: 422},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: sub, contentType: j, status: 401, noAuth: true},
		{route: "GET /v1/subscriptions", method: "GET", path: "/v1/subscriptions", status: 200},
		{route: "GET /v1/subscriptions/{id}", method: "GET", path: "/v1/subscriptions/pos-sync", status: 200},
		{route: "GET /v1/subscriptions/{id}", method: "GET", path: "/v1/subscriptions/nope", status: 404},
		{route: "PUT /v1/subscriptions/{id}", method: "PUT", path: "/v1/subscriptions/pos-sync", body: sub, contentType: j, status: 200},
		{route: "PATCH /v1/subscriptions/{id}", method: "PATCH", path: "/v1/subscriptions/pos-sync", body: `{"description":"v2"}`, contentType: "application/merge-patch+json", status: 200},
		{route: "POST /v1/subscriptions/{id}/secret/rotate", method: "POST", path: "/v1/subscriptions/pos-sync/secret/rotate", status: 200},
		{route: "GET /v1/subscriptions/{id}/public-key", method: "GET", path: "/v1/subscriptions/pos-sync/public-key", status: 404},
		{route: "POST /v1/subscriptions", method: "POST", path: "/v1/subscriptions", body: edSub, contentType: j, status: 201},
		{route: "GET /v1/subscriptions/{id}/public-key", method: "GET", path: "/v1/subscriptions/pos-ed/public-key", status: 200},
		{route: "POST /v1/subscriptions/test-filter", method: "POST", path: "/v1/subscriptions/test-filter", body: `{"filter":"payload.balance > 10.0","eventType":"point.balance.updated"}`, contentType: j, status: 200},
		{route: "POST /v1/subscriptions/test-filter", method: "POST", path: "/v1/subscriptions/test-filter", body: `{"filter":"payload.nope >","eventType":"point.balance.updated"}`, contentType: j, status: 422},
		{route: "POST /v1/subscriptions/test-transform", method: "POST", path: "/v1/subscriptions/test-transform", body: `{"transform":"function handler(w) { return w }","eventType":"contact.created"}`, contentType: j, status: 200},
		{route: "POST /v1/events", method: "POST", path: "/v1/events", body: event, contentType: j, status: 202},
		{route: "POST /v1/events", method: "POST", path: "/v1/events", body: `{"eventType":"contact.creatd","payload":{}}`, contentType: j, status: 422},
		{route: "POST /v1/subscriptions/{id}/test", method: "POST", path: "/v1/subscriptions/pos-sync/test", status: 200},
		{route: "POST /v1/subscriptions/{id}/test", method: "POST", path: "/v1/subscriptions/nope/test", status: 404},
		{route: "GET /v1/subscriptions/{id}/attempts", method: "GET", path: "/v1/subscriptions/pos-sync/attempts?limit=0", status: 400},
		{route: "GET /v1/subscriptions/{id}/attempts", method: "GET", path: "/v1/subscriptions/pos-sync/attempts?outcome=exploded", status: 422},
		{route: "GET /v1/subscriptions/{id}/dead-letters", method: "GET", path: "/v1/subscriptions/pos-sync/dead-letters?limit=10", status: 200},
		{route: "POST /v1/subscriptions/{id}/dead-letters/redrive", method: "POST", path: "/v1/subscriptions/pos-sync/dead-letters/redrive", status: 202},
		{route: "POST /v1/subscriptions/{id}/dead-letters/redrive", method: "POST", path: "/v1/subscriptions/pos-sync/dead-letters/redrive", body: `{"eventIds":[""]}`, contentType: j, status: 422},
		{route: "POST /v1/subscriptions/{id}/replay", method: "POST", path: "/v1/subscriptions/pos-sync/replay", body: `{"since":"yesterday"}`, contentType: j, status: 422},
		{route: "GET /v1/subscriptions/{id}/replays/{job}", method: "GET", path: "/v1/subscriptions/pos-sync/replays/rpl_nope", status: 404},
		{route: "GET /v1/trace", method: "GET", path: "/v1/trace", status: 422},
		{route: "GET /v1/trace", method: "GET", path: "/v1/trace?eventId=ev-1", status: 200},
	}
	done := map[string]bool{}
	for _, c := range calls {
		exercise(t, v, base, c)
		done[c.route] = true
	}
	t.Run("engage door", func(t *testing.T) { engageDoor(t, v, base); done["POST /ingest/engage"] = true })
	t.Run("attempts", func(t *testing.T) { attemptsAnswer(t, v, base); done["GET /v1/subscriptions/{id}/attempts"] = true })
	t.Run("replay job", func(t *testing.T) { replayJob(t, v, base, since); done["POST /v1/subscriptions/{id}/replay"] = true })
	t.Run("portal links", func(t *testing.T) { portalLinks(t, v, base, done) })
	exercise(t, v, base, call{method: "DELETE", path: "/v1/subscriptions/pos-sync", status: 204})
	exercise(t, v, base, call{method: "DELETE", path: "/v1/subscriptions/pos-sync", status: 404})
	done["DELETE /v1/subscriptions/{id}"] = true
	for _, rt := range a.router.Routes() {
		if key := admin.RouteKey(rt); rt.Method != "" && !done[key] {
			t.Errorf("route %s is served but not exercised against its documentation", key)
		}
	}
	checkEveryOperationDocumented(t, spec)
}

// engageDoor posts a signed Engage webhook: 200 with the document's shape,
// and 401 unsigned.
func engageDoor(t *testing.T, v validator.Validator, base string) {
	secret, _ := webhook.ParseSecret(engageSecret)
	signer, _ := webhook.NewSigner(secret)
	body := `{"id":"msg-1","eventType":"contact.deleted","tenant":"t","isEncrypted":false,"payload":{"contactId":"c9"}}`
	now := time.Now()
	req, _ := http.NewRequest("POST", base+"/ingest/engage", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	webhook.SetHeaders(req.Header, "msg-1", now, signer.Sign("msg-1", now, []byte(body)), true)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	req.Body = io.NopCloser(strings.NewReader(body))
	if resp.StatusCode != 200 {
		t.Fatalf("signed Engage webhook = %d %s", resp.StatusCode, data)
	}
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		t.Fatalf("Engage door answer disagrees with the document: %v", errs[0].Message)
	}
	exercise(t, v, base, call{method: "POST", path: "/ingest/engage", body: body, contentType: "application/json", status: 401, noAuth: true})
}

// attemptsAnswer waits for the delivered event's attempt and checks a page.
func attemptsAnswer(t *testing.T, v validator.Validator, base string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		body := exercise(t, v, base, call{method: "GET", path: "/v1/subscriptions/pos-sync/attempts?limit=5&outcome=delivered&eventType=point.balance.updated", status: 200})
		var page struct{ Attempts []json.RawMessage }
		_ = json.Unmarshal(body, &page)
		if len(page.Attempts) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no delivered attempt listed")
		}
		<-time.After(100 * time.Millisecond)
	}
}

// replayJob starts a replay without waiting and follows it until finished.
func replayJob(t *testing.T, v validator.Validator, base, since string) {
	body := exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/replay", body: `{"since":"` + since + `","wait":false}`, contentType: "application/json", status: 202})
	var job struct {
		ID       string
		Finished bool
	}
	_ = json.Unmarshal(body, &job)
	deadline := time.Now().Add(30 * time.Second)
	for !job.Finished && time.Now().Before(deadline) {
		body = exercise(t, v, base, call{method: "GET", path: "/v1/subscriptions/pos-sync/replays/" + job.ID, status: 200})
		_ = json.Unmarshal(body, &job)
	}
	if !job.Finished {
		t.Fatal("replay never finished")
	}
	exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/replay", body: `{"since":"` + since + `"}`, contentType: "application/json", status: 202})
}

// checkEveryOperationDocumented fails on an operation of the API described
// only generically (no statuses of its own), and on one answering 200 where
// it documents another success.
func checkEveryOperationDocumented(t *testing.T, spec []byte) {
	var doc struct {
		Paths map[string]map[string]struct {
			Route     string                     `json:"x-engagehub-route"`
			Responses map[string]json.RawMessage `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths {
		for method, op := range item {
			if strings.HasPrefix(op.Route, "ANY ") {
				continue
			}
			if _, generic := op.Responses["default"]; generic || len(op.Responses) == 0 {
				t.Errorf("%s %s: documented only generically", method, path)
			}
		}
	}
}
