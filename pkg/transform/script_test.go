package transform

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

func example(t *testing.T, typ event.Type) Webhook {
	t.Helper()
	spec, _ := event.Lookup(typ)
	return Webhook{EventType: string(typ), URL: "https://pos.example.com/hooks", Headers: map[string]string{"x-team": "pos"}, Payload: spec.Example}
}

func compile(t *testing.T, src string, cfg Config) *Script {
	t.Helper()
	s, err := Compile(src, cfg)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

func run(t *testing.T, s *Script, in Webhook) (Webhook, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Run(ctx, in)
}

func TestTransformChangesBodyHeadersURLAndMethod(t *testing.T) {
	s := compile(t, `function handler(webhook) {
  const p = webhook.payload.payload;
  webhook.payload = {contact: p.contactId, balance: Number(p.balance), kind: webhook.eventType};
  webhook.url = webhook.url + "/balance?store=42";
  webhook.method = "PUT";
  webhook.headers["x-engage-type"] = webhook.eventType;
  delete webhook.headers["x-team"];
  return webhook;
}`, DefaultConfig())
	out, err := run(t, s, example(t, event.PointBalanceUpdated))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"contact":"8c9d0e1f-2a3b-4c5d-6e7f-8091a2b3c4d5","balance":1250.5,"kind":"point.balance.updated"}`; string(out.Payload) != want {
		t.Errorf("payload = %s, want %s", out.Payload, want)
	}
	if out.URL != "https://pos.example.com/hooks/balance?store=42" || out.Method != "PUT" || out.Cancel {
		t.Errorf("url %q, method %q, cancel %v", out.URL, out.Method, out.Cancel)
	}
	if len(out.Headers) != 1 || out.Headers["x-engage-type"] != "point.balance.updated" {
		t.Errorf("headers = %v, want only x-engage-type", out.Headers)
	}
}

func TestTransformThatChangesNothingKeepsTheRequest(t *testing.T) {
	in := example(t, event.ContactCreated)
	out, err := run(t, compile(t, `function handler(webhook) { return webhook }`, DefaultConfig()), in)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if json.Unmarshal(out.Payload, &a) != nil || json.Unmarshal(in.Payload, &b) != nil {
		t.Fatalf("payload %s is not JSON", out.Payload)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) || out.URL != in.URL || out.Method != "POST" || out.Headers["x-team"] != "pos" {
		t.Fatalf("identity transform changed the request: %+v", out)
	}
}

func TestTransformCancels(t *testing.T) {
	s := compile(t, `function handler(webhook) {
  webhook.cancel = webhook.payload.payload.value === false;
  return webhook;
}`, DefaultConfig())
	out, err := run(t, s, example(t, event.ContactAcceptsPostalChanged)) // value false
	if err != nil || !out.Cancel {
		t.Fatalf("cancel = %v, %v; want true", out.Cancel, err)
	}
	out, err = run(t, s, example(t, event.ContactAcceptsEmailChanged)) // value true
	if err != nil || out.Cancel {
		t.Fatalf("cancel = %v, %v; want false", out.Cancel, err)
	}
}

// svixTemplate is the transformation template of Svix's documentation,
// verbatim, and svixSlack its example of reshaping the payload.
const (
	svixTemplate = `/**
 * @param webhook the webhook object
 * @param webhook.method destination method. Allowed values: "POST", "PUT"
 * @param webhook.url current destination address
 * @param webhook.eventType current webhook Event Type
 * @param webhook.payload JSON payload
 * @param webhook.cancel whether to cancel dispatch of the given webhook
 */
function handler(webhook) {
  // modify the webhook object...

  // and return it
  return webhook
}`
	svixSlack = `function handler(webhook) {
  webhook.payload = {
    "text": ` + "`New event received: ${webhook.eventType}`" + `,
  };
  return webhook;
}`
)

func TestSvixTransformationExamplesRunUnchanged(t *testing.T) {
	out, err := run(t, compile(t, svixTemplate, DefaultConfig()), example(t, event.ContactDeleted))
	if err != nil || out.Cancel || !strings.Contains(string(out.Payload), `"eventType":"contact.deleted"`) {
		t.Fatalf("template: %s, %v", out.Payload, err)
	}
	out, err = run(t, compile(t, svixSlack, DefaultConfig()), example(t, event.ContactDeleted))
	if err != nil || string(out.Payload) != `{"text":"New event received: contact.deleted"}` {
		t.Fatalf("slack example: %s, %v", out.Payload, err)
	}
}

func TestScriptFailuresNameLineAndColumn(t *testing.T) {
	cases := []struct {
		name, src    string
		line, column int
		message      string
	}{
		{"syntax error", "function handler(webhook) {\n  return webhook.\n}", 3, 1, "SyntaxError"},
		{"thrown error", "function handler(webhook) {\n  if (webhook.eventType) {\n    throw new Error(\"no thanks\");\n  }\n}", 3, 11, "no thanks"},
		{"type error", "function handler(webhook) {\n  return webhook.payload.missing.field;\n}", 2, 34, "TypeError"},
		{"no handler", "function handle(webhook) { return webhook }", 0, 0, "must define function handler(webhook)"},
		{"returns nothing", "function handler(webhook) { webhook.url = 'https://x.example/' }", 0, 0, "must return the webhook object"},
		{"reserved header", "function handler(w) { w.headers['Webhook-Signature'] = 'x'; return w }", 0, 0, "Webhook-Signature is set by engagehub"},
		{"bad url", "function handler(w) { w.url = 'file:///etc/passwd'; return w }", 0, 0, "absolute http(s) URL"},
		{"bad method", "function handler(w) { w.method = 'DELETE'; return w }", 0, 0, `must be "POST" or "PUT"`},
		{"header with newline", "function handler(w) { w.headers['x-a'] = 'a\\r\\nb: c'; return w }", 0, 0, "CR, LF or NUL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := Compile(c.src, DefaultConfig())
			if err == nil {
				_, err = run(t, s, example(t, event.ContactDeleted))
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if e.Line != c.line || e.Column != c.column || !strings.Contains(e.Message, c.message) {
				t.Fatalf("= %d:%d %q, want %d:%d containing %q", e.Line, e.Column, e.Message, c.line, c.column, c.message)
			}
		})
	}
}

func TestSandboxHasNoIOTimersOrBuffers(t *testing.T) {
	s := compile(t, `function handler(w) {
  w.payload = [typeof require, typeof console, typeof setTimeout, typeof setInterval, typeof fetch,
    typeof XMLHttpRequest, typeof process, typeof ArrayBuffer, typeof Uint8Array, typeof SharedArrayBuffer];
  return w;
}`, DefaultConfig())
	out, err := run(t, s, example(t, event.ContactDeleted))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimSuffix(strings.Repeat(`"undefined",`, 10), ","); string(out.Payload) != "["+want+"]" {
		t.Fatalf("globals: %s", out.Payload)
	}
}
