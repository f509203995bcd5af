package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/webhook"
)

func TestEngageOutcomes(t *testing.T) {
	t.Parallel()
	good := example(t, event.PointBalanceUpdated)
	cases := []struct {
		name     string
		cfg      func(*Config)
		req      func(f *fixture) *http.Request
		status   int
		code     string
		message  string // substring of the error message
		outcome  string
		wantSent int
	}{
		{name: "accepted", status: 200, outcome: outcomeAccepted, wantSent: 1,
			req: func(f *fixture) *http.Request { return f.engageRequest("msg_1", f.now, good) }},
		{name: "charset parameter allowed", status: 200, outcome: outcomeAccepted, wantSent: 1,
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.Header.Set("Content-Type", "application/json; charset=utf-8")
				return r
			}},
		{name: "missing signature", status: 401, code: "invalid_signature", message: "missing", outcome: outcomeUnauthorized,
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.Header.Del(webhook.SvixHeaderSignature)
				return r
			}},
		{name: "bad signature", status: 401, code: "invalid_signature", message: "signature", outcome: outcomeUnauthorized,
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.Header.Set(webhook.SvixHeaderSignature, "v1,Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=")
				return r
			}},
		{name: "body changed after signing", status: 401, code: "invalid_signature", outcome: outcomeUnauthorized,
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.Body = httpBody(append(bytes.Clone(good), ' '))
				return r
			}},
		{name: "stale timestamp", status: 401, code: "invalid_signature", message: "webhook-timestamp", outcome: outcomeUnauthorized,
			req: func(f *fixture) *http.Request { return f.engageRequest("msg_1", f.now.Add(-6*time.Minute), good) }},
		{name: "body too large", status: 413, code: "body_too_large", message: "ingest.max_body_bytes", outcome: outcomeTooLarge,
			cfg: func(c *Config) { c.MaxBodyBytes = 64 },
			req: func(f *fixture) *http.Request { return f.engageRequest("msg_1", f.now, good) }},
		{name: "body too large without content length", status: 413, code: "body_too_large", outcome: outcomeTooLarge,
			cfg: func(c *Config) { c.MaxBodyBytes = 64 },
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.ContentLength = -1
				return r
			}},
		{name: "wrong content type", status: 415, code: "unsupported_media_type", message: "Content-Type", outcome: outcomeMediaType,
			req: func(f *fixture) *http.Request {
				r := f.engageRequest("msg_1", f.now, good)
				r.Header.Set("Content-Type", "text/plain")
				return r
			}},
		{name: "malformed json", status: 400, code: "malformed", message: "malformed", outcome: outcomeMalformed,
			req: func(f *fixture) *http.Request { return f.engageRequest("msg_1", f.now, []byte(`{"eventType":`)) }},
		{name: "missing contactId names the field", status: 422, code: "invalid_field", message: "payload.contactId: required", outcome: outcomeInvalid,
			req: func(f *fixture) *http.Request {
				return f.engageRequest("msg_1", f.now, []byte(`{"id":"e1","eventType":"contact.deleted","payload":{}}`))
			}},
		{name: "wrong-typed field names the field", status: 422, code: "invalid_field", message: "payload.accountId", outcome: outcomeInvalid,
			req: func(f *fixture) *http.Request {
				return f.engageRequest("msg_1", f.now, []byte(`{"id":"e1","eventType":"point.balance.updated","payload":{"balance":"1","contactId":"c","accountId":true,"definitionId":"2"}}`))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.cfg)
			w := f.serve(tc.req(f))
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.code != "" {
				e := decodeError(t, w)
				if e.Code != tc.code || !strings.Contains(e.Message, tc.message) {
					t.Errorf("error = %+v, want code %s message containing %q", e, tc.code, tc.message)
				}
			}
			if _, msgs := f.sink.Snapshot(); len(msgs) != tc.wantSent {
				t.Errorf("records written = %d, want %d", len(msgs), tc.wantSent)
			}
			var got float64
			for _, typ := range []string{"", "point.balance.updated", "contact.deleted"} {
				got += f.counter("requests", doorEngage, tc.outcome, typ)
			}
			if got != 1 {
				t.Errorf("requests_total{outcome=%s} = %v, want 1", tc.outcome, got)
			}
		})
	}
}

func httpBody(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func TestEngageRecordHasTopicKeyAndHeaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	body := example(t, event.PointBalanceUpdated)
	w := f.serve(f.engageRequest("msg_hdr", f.now, body))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	_, msgs := f.sink.Snapshot()
	if len(msgs) != 1 {
		t.Fatalf("records = %d", len(msgs))
	}
	m := msgs[0]
	if m.Topic != "engage.point.balance.updated" || string(m.Key) != "8c9d0e1f-2a3b-4c5d-6e7f-8091a2b3c4d5" {
		t.Errorf("topic %s key %s", m.Topic, m.Key)
	}
	want := map[string]string{
		event.HeaderEventID:    "d594ac60-f5b3-4490-9d4b-8d0f2a4b6c98",
		event.HeaderEventType:  "point.balance.updated",
		event.HeaderSource:     "engage",
		event.HeaderReceivedAt: "2025-06-01T12:00:00Z",
		event.HeaderWebhookID:  "msg_hdr",
	}
	for k, v := range want {
		if got, _ := header(m, k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	ev, err := newSerde(t).Unmarshal(context.Background(), m.Value)
	if err != nil || !bytes.Equal(ev.Raw, body) {
		t.Errorf("decoded raw %s err %v", ev.Raw, err)
	}
	var resp response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || resp.Events[0].Topic != m.Topic {
		t.Errorf("response %s", w.Body)
	}
}

func TestEngageUnknownTypeGoesRawToUnrecognized(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	body := []byte(`{"id":"u1","eventType":"order.created","payload":{"contactId":"c-77","total":"9.90"}}`)
	w := f.serve(f.engageRequest("msg_u", f.now, body))
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	_, msgs := f.sink.Snapshot()
	if len(msgs) != 1 || msgs[0].Topic != "engage._unrecognized" {
		t.Fatalf("records %+v", msgs)
	}
	ev, err := newSerde(t).Unmarshal(context.Background(), msgs[0].Value)
	if err != nil || !bytes.Equal(ev.Raw, body) || ev.Type != "order.created" {
		t.Errorf("decoded %+v err %v", ev, err)
	}
	if got := f.counter("unrecognized"); got != 1 {
		t.Errorf("unrecognized_total = %v", got)
	}
	if got := f.counter("requests", doorEngage, outcomeUnrecognized, "_unrecognized"); got != 1 {
		t.Errorf("requests_total{unrecognized} = %v", got)
	}
}

// The Standard Webhooks specification's test vector: the signature passes
// (so the answer is not 401), and the body, which is no envelope, is then
// refused — verification happens before parsing.
func TestEngageAcceptsStandardWebhooksTestVector(t *testing.T) {
	t.Parallel()
	const (
		id  = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	body := []byte(`{"test": 2432232314}`)
	for _, tc := range []struct {
		name, id, sig string
		status        int
	}{
		{"spec vector passes verification", id, sig, http.StatusUnprocessableEntity},
		{"other id fails verification", "msg_other", sig, http.StatusUnauthorized},
		{"other signature fails verification", id, "v1,Kcbyr1ERn7iWCg/DOGiBKWHBzf3KBNwz4BvW/HrMJbM=", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.now = time.Unix(1614265330, 0)
			r := httptest.NewRequest(http.MethodPost, "/ingest/engage", bytes.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set(webhook.HeaderID, tc.id)
			r.Header.Set(webhook.HeaderTimestamp, "1614265330")
			r.Header.Set(webhook.HeaderSignature, tc.sig)
			w := f.serve(r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status == http.StatusUnprocessableEntity && decodeError(t, w).Message != "eventType: required" {
				t.Errorf("message %q", decodeError(t, w).Message)
			}
		})
	}
}

func TestEngageDuplicateIDWrittenOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	body := example(t, event.ContactDeleted)
	for i := range 3 {
		w := f.serve(f.engageRequest("msg_dup", f.now, body))
		if w.Code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, w.Code)
		}
	}
	calls, msgs := f.sink.Snapshot()
	if calls != 1 || len(msgs) != 1 {
		t.Fatalf("writes = %d records = %d, want 1 and 1", calls, len(msgs))
	}
	if got := f.counter("duplicates"); got != 2 {
		t.Errorf("duplicates_total = %v, want 2", got)
	}
}

func TestEngageRetryAfterFailedWriteIsWritten(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.sink.SetErr(context.DeadlineExceeded)
	body := example(t, event.ContactDeleted)
	w := f.serve(f.engageRequest("msg_retry", f.now, body))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "5" {
		t.Fatalf("status %d Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
	f.sink.SetErr(nil)
	if w := f.serve(f.engageRequest("msg_retry", f.now, body)); w.Code != http.StatusOK {
		t.Fatalf("retry status %d", w.Code)
	}
	if _, msgs := f.sink.Snapshot(); len(msgs) != 1 {
		t.Errorf("records = %d, want 1", len(msgs))
	}
}

func TestEngageConcurrentDuplicatesWriteOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	sink := &blockingSink{started: make(chan struct{}, 16), release: make(chan struct{})}
	f.build(t, f.in.cfg, sink, Options{})
	body := example(t, event.ContactDeleted)
	const n = 8
	codes := make(chan int, n)
	for range n {
		go func() { codes <- f.serve(f.engageRequest("msg_conc", f.now, body)).Code }()
	}
	<-sink.started // one request is writing; the others are waiting or not yet arrived
	close(sink.release)
	for range n {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("status %d", c)
		}
	}
	if calls, msgs := sink.Snapshot(); calls != 1 || len(msgs) != 1 {
		t.Fatalf("writes = %d records = %d, want 1 and 1", calls, len(msgs))
	}
}

// blockingSink signals each write on started and holds it until release closes.
type blockingSink struct {
	kafkatest.RecordingSink
	started chan struct{}
	release chan struct{}
}

func (b *blockingSink) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	b.started <- struct{}{}
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return b.RecordingSink.WriteMessages(ctx, msgs...)
}
