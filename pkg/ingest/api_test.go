package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/engagehub/engagehub/pkg/event"
)

func apiRequest(body string, mutate ...func(*http.Request)) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/events", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer tok")
	for _, m := range mutate {
		m(r)
	}
	return r
}

func TestAPIPublishesSingleEventWithGeneratedID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	body := `{"eventType":"contact.deleted","payload":{"contactId":"c-1"}}`
	w := f.serve(apiRequest(body, func(r *http.Request) { r.Header.Set(HeaderSource, "crm") }))
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var resp response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || len(resp.Events) != 1 {
		t.Fatalf("response %s", w.Body)
	}
	got := resp.Events[0]
	if _, err := uuid.Parse(got.EventID); err != nil || got.EventType != event.ContactDeleted || got.Topic != "engage.contact.deleted" {
		t.Errorf("response event %+v", got)
	}
	_, msgs := f.sink.Snapshot()
	if id, _ := header(msgs[0], event.HeaderEventID); id != got.EventID {
		t.Errorf("event-id header %q, response %q", id, got.EventID)
	}
	if src, _ := header(msgs[0], event.HeaderSource); src != "crm" {
		t.Errorf("source header %q", src)
	}
	if _, ok := header(msgs[0], event.HeaderWebhookID); ok {
		t.Error("API record carries a webhook-id header")
	}
}

func TestAPIBatchIsOneWriteWithEachElementsBytes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	elems := []string{
		strings.TrimSpace(string(example(t, event.PointBalanceUpdated))),
		`{ "eventId": "e-2",  "eventType": "contact.deleted", "payload": {"contactId": 42} }`,
		`{"eventType":"order.created","allowUnrecognized":true,"payload":{"contactId":"c-9"}}`,
	}
	w := f.serve(apiRequest("[\n  " + strings.Join(elems, " ,\n  ") + "\n]"))
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	calls, msgs := f.sink.Snapshot()
	if calls != 1 || len(msgs) != 3 {
		t.Fatalf("writes %d records %d, want 1 and 3", calls, len(msgs))
	}
	wantTopics := []string{"engage.point.balance.updated", "engage.contact.deleted", "engage._unrecognized"}
	for i, m := range msgs {
		ev, err := newSerde(t).Unmarshal(context.Background(), m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ev.Raw, []byte(elems[i])) || m.Topic != wantTopics[i] {
			t.Errorf("[%d] topic %s raw %s", i, m.Topic, ev.Raw)
		}
		if src, _ := header(m, event.HeaderSource); src != "api" {
			t.Errorf("[%d] source %q", i, src)
		}
	}
	if string(msgs[1].Key) != "42" {
		t.Errorf("numeric contactId key = %q", msgs[1].Key)
	}
}

func TestAPIRejectsWholeBatch(t *testing.T) {
	t.Parallel()
	ok := `{"eventType":"contact.deleted","payload":{"contactId":"c-1"}}`
	// Under max_body_bytes as JSON, but the Avro record holds the attribute
	// twice (typed and in raw): over what Kafka accepts.
	huge := `{"eventType":"contact.updated","payload":{"contactId":"c-2","attributes":{"notes":"` + strings.Repeat("x", 600_000) + `"}}}`
	cases := []struct {
		name    string
		body    string
		cfg     func(*Config)
		status  int
		message string
	}{
		{"invalid element names its index", "[" + ok + "," + ok + "," + ok + `,{"eventType":"contact.deleted","payload":{}}]`, nil, 422, "[3].payload.contactId: required"},
		{"element not an object", "[" + ok + ",17]", nil, 400, "[1]: "},
		{"array not json", "[" + ok + ",", nil, 400, "malformed"},
		{"single object missing field", `{"eventType":"contact.deleted","payload":{}}`, nil, 422, "payload.contactId: required"},
		{"single object malformed", `{"eventType"`, nil, 400, "malformed"},
		{"empty batch", "[]", nil, 422, "empty batch"},
		{"over max batch", "[" + ok + "," + ok + "," + ok + "]", func(c *Config) { c.MaxBatch = 2 }, 413, "ingest.max_batch"},
		{"record over kafka's limit names its index", "[" + ok + "," + huge + "]", nil, 413, "[1]: the event encodes to a"},
		{"type outside the catalog names it and the nearest", "[" + ok + `,{"eventType":"contact.upated","payload":{"contactId":"c-3"}}]`, nil, 422,
			`[1].eventType: "contact.upated" is not an event type of the catalog (nearest: "contact.updated"`},
		{"single object of an unknown type", `{"eventType":"order.created","payload":{"contactId":"c-3"}}`, nil, 422, `"allowUnrecognized": true`},
		{"allowUnrecognized must be a boolean", `{"eventType":"order.created","allowUnrecognized":"yes","payload":{"contactId":"c-3"}}`, nil, 422, "allowUnrecognized: must be a boolean"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.cfg)
			w := f.serve(apiRequest(tc.body))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if msg := decodeError(t, w).Message; !strings.Contains(msg, tc.message) {
				t.Errorf("message %q, want %q", msg, tc.message)
			}
			if calls, _ := f.sink.Snapshot(); calls != 0 {
				t.Errorf("sink called %d times", calls)
			}
		})
	}
}

func TestAPIRequestChecks(t *testing.T) {
	t.Parallel()
	body := `{"eventType":"contact.deleted","payload":{"contactId":"c-1"}}`
	cases := []struct {
		name   string
		mutate func(*http.Request)
		status int
	}{
		{"missing token", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, 401},
		{"wrong content type", func(r *http.Request) { r.Header.Set("Content-Type", "text/csv") }, 415},
		{"source too long", func(r *http.Request) { r.Header.Set(HeaderSource, strings.Repeat("s", 129)) }, 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			if w := f.serve(apiRequest(body, tc.mutate)); w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if calls, _ := f.sink.Snapshot(); calls != 0 {
				t.Errorf("sink called %d times", calls)
			}
		})
	}
}
