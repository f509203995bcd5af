package admin

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/transform"
)

func tryoutServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv, router := newServer(t)
	router.Handle(NewTryout(ops.New(ops.Deps{Transform: transform.DefaultConfig()})).Routes()...)
	return srv
}

func jsonBody(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTestFilterAnswersTheVerdictOrA422WithThePosition(t *testing.T) {
	srv := tryoutServer(t)
	event := `{"id":"e1","eventType":"point.balance.updated","payload":{"balance":"500","contactId":"c1","accountId":1,"definitionId":"2","storeId":"S1"}}`
	cases := []struct {
		name   string
		body   string
		status int
		want   string // in the response
	}{
		{"example matches", jsonBody(t, map[string]any{"filter": `payload.balance > 1000.0`, "eventType": "point.balance.updated"}), 200, `"match":true`},
		{"event does not match", `{"filter":"payload.balance > 1000.0","event":` + event + `}`, 200, `"match":false`},
		{"unknown field of the event", `{"filter":"payload.unknown.storeId == \"S1\" && source == \"pos\"","source":"pos","event":` + event + `}`, 200, `"match":true`},
		{"record headers", jsonBody(t, map[string]any{"filter": `headers["event-id"] != "" && headers["x-trace"] == "t1"`, "eventType": "contact.deleted", "headers": map[string]string{"x-trace": "t1"}}), 200, `"match":true`},
		{"runtime error", `{"filter":"payload.balanceExpires < now","event":` + event + `}`, 422, `undeclared reference to 'now'`},
		{"absent field", `{"filter":"payload.balanceExpires < timestamp(\"2030-01-01T00:00:00Z\")","event":` + event + `}`, 200, `"error":"filter: no such key: balanceExpires`},
		{"syntax error", jsonBody(t, map[string]any{"filter": `type == `, "eventType": "contact.created"}), 422, `"filter: 1:9: `},
		{"unknown field", jsonBody(t, map[string]any{"filter": `payload.balanse > 1.0`, "eventType": "point.balance.updated"}), 422, `filter: 1:8: undefined field 'balanse'`},
		{"type error", jsonBody(t, map[string]any{"filter": `payload.accountId == "x"`, "eventType": "point.balance.updated"}), 422, `filter: 1:19: found no matching overload`},
		{"checked against other types", jsonBody(t, map[string]any{"filter": `type == "contact.created" || payload.balance > 1.0`, "eventType": "contact.created", "eventTypes": []string{"contact.*"}}), 422, `undefined field 'balance'`},
		{"both event and type", `{"filter":"true","eventType":"contact.created","event":` + event + `}`, 422, `give one, not both`},
		{"type not in the catalog", `{"filter":"true","eventType":"contact.exploded"}`, 422, `eventType: \"contact.exploded\" is not in the catalog`},
		{"bad event", `{"filter":"true","event":{"eventType":"point.balance.updated","payload":{"balance":"much"}}}`, 422, `"event: `},
		{"unknown request field", `{"filter":"true","eventType":"contact.created","colour":"red"}`, 422, `unknown field \"colour\"`},
		{"malformed", `{"filter":`, 400, `malformed_json`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := call(t, srv, http.MethodPost, "/v1/subscriptions/test-filter", "application/json", c.body)
			if status != c.status || !strings.Contains(body, c.want) {
				t.Fatalf("= %d %s, want %d containing %s", status, body, c.status, c.want)
			}
		})
	}
}

func TestTestTransformAnswersTheRequestOrA422WithTheLine(t *testing.T) {
	srv := tryoutServer(t)
	svix := "function handler(webhook) {\n  webhook.payload = {\n    \"text\": `New event received: ${webhook.eventType}`,\n  };\n  return webhook;\n}"
	cases := []struct {
		name   string
		body   string
		status int
		want   []string
	}{
		{"svix example", jsonBody(t, map[string]any{"transform": svix, "eventType": "contact.deleted"}), 200,
			[]string{`"cancel":false`, `"body":{"text":"New event received: contact.deleted"}`, `"url":"https://receiver.example/webhook"`, `"method":"POST"`}},
		{"url and headers", jsonBody(t, map[string]any{"transform": `function handler(w) { w.url += "/x"; w.headers["x-b"] = w.headers["x-a"] + "!"; return w }`,
			"eventType": "contact.deleted", "url": "https://pos.example/h", "headers": map[string]string{"x-a": "1"}}), 200,
			[]string{`"url":"https://pos.example/h/x"`, `"x-a":"1"`, `"x-b":"1!"`}},
		{"cancel", jsonBody(t, map[string]any{"transform": `function handler(w) { w.cancel = true; return w }`, "eventType": "contact.deleted"}), 200,
			[]string{`{"cancel":true}`}},
		{"thrown error", jsonBody(t, map[string]any{"transform": "function handler(w) {\n  throw new Error('nope')\n}", "eventType": "contact.deleted"}), 422,
			[]string{`invalid_transform`, `transform: line 2:9: Error: nope`}},
		{"syntax error", jsonBody(t, map[string]any{"transform": "function handler(w) {", "eventType": "contact.deleted"}), 422,
			[]string{`transform: line 1:22: SyntaxError`}},
		{"infinite loop", jsonBody(t, map[string]any{"transform": "function handler(w) { for (;;) {} }", "eventType": "contact.deleted"}), 422,
			[]string{`time limit exceeded`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := call(t, srv, http.MethodPost, "/v1/subscriptions/test-transform", "application/json", c.body)
			for _, w := range c.want {
				if status != c.status || !strings.Contains(body, w) {
					t.Fatalf("= %d %s, want %d containing %s", status, body, c.status, w)
				}
			}
		})
	}
}

func TestSubscriptionWithBadFilterOrTransformIs422NamingThePosition(t *testing.T) {
	srv, _ := newServer(t)
	cases := []struct {
		name, field, value, want string
	}{
		{"filter syntax", "filter", `type ==`, `filter: 1:8: `},
		{"filter unknown field", "filter", `payload.contactTyp == "Member"`, `filter: 1:8: undefined field 'contactTyp'`},
		{"filter type error", "filter", `payload.balance == "x"`, `filter: 1:17: found no matching overload`},
		{"transform error", "transform", "function handler(w) {\n  return w.payload.payload.attributes.email.length\n}", `transform: line 2:`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sub map[string]any
			_ = json.Unmarshal([]byte(validBody), &sub)
			sub[c.field] = c.value
			status, body := call(t, srv, http.MethodPost, "/v1/subscriptions", "application/json", jsonBody(t, sub))
			var e httpapi.ErrorBody
			_ = json.Unmarshal([]byte(body), &e)
			if status != http.StatusUnprocessableEntity || e.Error.Code != "invalid_subscription" || !strings.Contains(e.Error.Message, c.want) {
				t.Fatalf("= %d %s, want 422 containing %q", status, body, c.want)
			}
		})
	}
}
