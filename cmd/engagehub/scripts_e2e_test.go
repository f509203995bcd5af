package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// recorder is a webhook receiver that answers 204 and keeps every request.
type recorder struct {
	url  string
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	header       http.Header
	body         []byte
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, recorded{method: req.Method, path: req.URL.Path, header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func (r *recorder) all() []recorded { r.mu.Lock(); defer r.mu.Unlock(); return slices.Clone(r.reqs) }

// ids are the webhook-ids received, in order.
func (r *recorder) ids() []string {
	var out []string
	for _, q := range r.all() {
		out = append(out, q.header.Get("webhook-id"))
	}
	return out
}

// signed are the requests received, for verification with secret.
func (r *recorder) signed(secret string) []signedRequest {
	var out []signedRequest
	for _, q := range r.all() {
		h := map[string]string{}
		for _, k := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
			h[k] = q.header.Get(k)
		}
		out = append(out, signedRequest{Secret: secret, Headers: h, Body: string(q.body)})
	}
	return out
}

func adminCall(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// postEvents posts envelopes through /v1/events.
func postEvents(t *testing.T, base string, envelopes ...string) {
	t.Helper()
	if status, body := adminCall(t, http.MethodPost, base+"/v1/events", "["+strings.Join(envelopes, ",")+"]"); status/100 != 2 {
		t.Fatalf("POST /v1/events = %d %s", status, body)
	}
}

func balanceEnvelope(id string, balance int, definition string) string {
	return fmt.Sprintf(`{"id":%q,"eventType":"point.balance.updated","payload":{"balance":"%d","contactId":"c1","accountId":7,"definitionId":%q,"storeId":"S1"}}`,
		id, balance, definition)
}

// scenarioScript reshapes the body, adds a header and changes the URL;
// the event's definitionId picks a failure instead.
const scenarioScript = `function handler(webhook) {
  const e = webhook.payload;
  switch (e.payload.definitionId) {
  case "cancel": webhook.cancel = true; return webhook;
  case "loop": for (;;) {}
  case "alloc": return "x".repeat(1 << 30);
  case "throw": throw new Error("no such store");
  }
  webhook.payload = {id: e.id, balance: Number(e.payload.balance), store: e.payload.storeId};
  webhook.url = webhook.url + "/reshaped";
  webhook.headers["x-store"] = String(e.payload.storeId);
  return webhook;
}
`

func TestFiltersAndTransformationsEndToEnd(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	rcv := newRecorder(t)

	dir := t.TempDir()
	subFile, scriptFile := filepath.Join(dir, "sub.json"), filepath.Join(dir, "t.js")
	_ = os.WriteFile(subFile, []byte(fmt.Sprintf(`{"id":"scripted","eventTypes":["point.balance.updated","contact.created"],"destination":{"type":"webhook","url":%q}}`, rcv.url)), 0o600)
	_ = os.WriteFile(scriptFile, []byte(scenarioScript), 0o600)
	out, _, err := runCLI(t, "subscriptions", "create", subFile, "--url", base, "--token", testToken,
		"--filter", `type == "point.balance.updated" && payload.balance > 1000.0`, "--transform-file", scriptFile)
	if err != nil {
		t.Fatalf("subscriptions create: %v\n%s", err, out)
	}
	var created struct{ Secret, Filter, Transform string }
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.Secret == "" || created.Transform != scenarioScript {
		t.Fatalf("create printed %s (%v)", out, err)
	}

	postEvents(t, base, balanceEnvelope("low", 500, "2"), balanceEnvelope("ok1", 1500, "2"), balanceEnvelope("cancelled", 1500, "cancel"),
		balanceEnvelope("loop", 1500, "loop"), balanceEnvelope("alloc", 1500, "alloc"), balanceEnvelope("throw", 1500, "throw"),
		`{"id":"contact","eventType":"contact.created","payload":{"contactId":"c1"}}`, balanceEnvelope("ok2", 1500, "2"))
	eventually(t, 60*time.Second, "ok2 delivered after the failing events", func() bool { return slices.Contains(rcv.ids(), "msg_ok2") })
	if got := rcv.ids(); !slices.Equal(got, []string{"msg_ok1", "msg_ok2"}) {
		t.Fatalf("received %v, want ok1 and ok2 only (low and contact filtered out, cancelled cancelled, three dead-lettered)", got)
	}
	for _, q := range rcv.all() {
		if q.path != "/hook/reshaped" || q.header.Get("x-store") != "S1" || !strings.HasPrefix(string(q.body), `{"id":"ok`) || !strings.Contains(string(q.body), `"balance":1500,"store":"S1"}`) {
			t.Errorf("request %s %s x-store=%q body %s: not what the script made", q.method, q.path, q.header.Get("x-store"), q.body)
		}
	}
	assertDeadLetters(t, base, "scripted", map[string]string{"loop": "time limit exceeded", "alloc": "RangeError: repeat", "throw": "Error: no such store"})

	// A filter change applies to the events fanned out after it.
	if status, body := adminCall(t, http.MethodPatch, base+"/v1/subscriptions/scripted", `{"filter":"payload.balance <= 1000.0"}`); status != http.StatusOK {
		t.Fatalf("PATCH filter = %d %s", status, body)
	}
	postEvents(t, base, balanceEnvelope("high-after", 1500, "2"), balanceEnvelope("low-after", 500, "2"))
	eventually(t, 60*time.Second, "low-after delivered", func() bool { return slices.Contains(rcv.ids(), "msg_low-after") })
	if got := rcv.ids(); !slices.Equal(got, []string{"msg_ok1", "msg_ok2", "msg_low-after"}) {
		t.Fatalf("after the filter change received %v, want low-after added and not high-after", got)
	}

	t.Run("signatures verify with the stock Standard Webhooks library", func(t *testing.T) {
		secret, _ := webhook.ParseSecret(created.Secret)
		v, _ := webhook.NewVerifier([]webhook.Secret{secret}, 0, nil)
		for _, q := range rcv.all() {
			if _, err := v.Verify(q.header, q.body); err != nil {
				t.Fatalf("engagehub's verifier: %v", err)
			}
		}
		verifyWithStandardWebhooks(t, rcv.signed(created.Secret))
	})
}

func TestSvixTransformationExampleRunsUnchangedEndToEnd(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	rcv := newRecorder(t)
	svix := "function handler(webhook) {\n  webhook.payload = {\n    \"text\": `New event received: ${webhook.eventType}`,\n  };\n  return webhook;\n}"
	sub, _ := json.Marshal(map[string]any{"id": "svix", "eventTypes": []string{"contact.deleted"}, "transform": svix,
		"destination": map[string]any{"type": "webhook", "url": rcv.url}})
	status, body := adminCall(t, http.MethodPost, base+"/v1/subscriptions", string(sub))
	var created struct{ Secret string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &created) != nil {
		t.Fatalf("create = %d %s", status, body)
	}
	postEvents(t, base, `{"id":"d1","eventType":"contact.deleted","payload":{"contactId":"c9"}}`)
	eventually(t, 60*time.Second, "the transformed event", func() bool { return len(rcv.all()) > 0 })
	if got := rcv.all()[0]; !bytes.Equal(got.body, []byte(`{"text":"New event received: contact.deleted"}`)) || got.path != "/hook" {
		t.Fatalf("received %s %s", got.path, got.body)
	}
	verifyWithStandardWebhooks(t, rcv.signed(created.Secret))
}

// assertDeadLetters checks the subscription's dead letters: one per event
// id, class transform, with the given error text.
func assertDeadLetters(t *testing.T, base, id string, want map[string]string) {
	t.Helper()
	var dl struct {
		DeadLetters []struct{ EventID, Error string } `json:"deadLetters"`
	}
	eventually(t, 30*time.Second, "dead letters", func() bool {
		_, body := adminCall(t, http.MethodGet, base+"/v1/subscriptions/"+id+"/dead-letters", "")
		return json.Unmarshal([]byte(body), &dl) == nil && len(dl.DeadLetters) >= len(want)
	})
	if len(dl.DeadLetters) != len(want) {
		t.Fatalf("dead letters %+v, want %d", dl.DeadLetters, len(want))
	}
	for _, d := range dl.DeadLetters {
		if w, ok := want[d.EventID]; !ok || !strings.HasPrefix(d.Error, "transform: ") || !strings.Contains(d.Error, w) {
			t.Errorf("dead letter %s: %q, want class transform and %q", d.EventID, d.Error, w)
		}
	}
}
