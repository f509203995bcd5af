package bench

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestEnvelopesAreValidContactUpdatedEventsOfTheRequestedSize(t *testing.T) {
	t.Parallel()
	for _, size := range []int{100, 512, 4096} {
		env := NewEnvelopes("bench-ab12", 10, size)
		raw := env.Append(nil, kindLoad, 1234)
		if size >= 200 && (len(raw) < size || len(raw) > size+8) { // longer ids add digits
			t.Errorf("size %d: envelope is %d bytes", size, len(raw))
		}
		e, err := event.Parse(raw)
		if err != nil {
			t.Fatalf("size %d: Parse: %v", size, err)
		}
		if _, err := event.New(e, "bench", time.Now()); err != nil {
			t.Fatalf("size %d: New: %v", size, err)
		}
		if e.ID != "bench-ab12-e1234" || e.ContactID() != "bench-contact-4" {
			t.Errorf("size %d: id %q contact %q", size, e.ID, e.ContactID())
		}
	}
}

func TestBatchIsAnArrayAndOneIsASingleEnvelope(t *testing.T) {
	t.Parallel()
	env := NewEnvelopes("r", 5, 0)
	var arr []map[string]any
	if err := json.Unmarshal(env.Batch(nil, kindLoad, 10, 3), &arr); err != nil || len(arr) != 3 {
		t.Fatalf("batch of 3: %v, %d elements", err, len(arr))
	}
	if arr[2]["eventId"] != "r-e12" {
		t.Errorf("third event id %v, want r-e12", arr[2]["eventId"])
	}
	var one map[string]any
	if err := json.Unmarshal(env.Batch(nil, kindLoad, 7, 1), &one); err != nil || one["eventId"] != "r-e7" {
		t.Fatalf("batch of 1: %v, id %v; want a single envelope r-e7", err, one["eventId"])
	}
}

func TestParseEventID(t *testing.T) {
	t.Parallel()
	env := NewEnvelopes("bench-x-y", 1, 0)
	tests := []struct {
		name string
		body []byte
		kind byte
		seq  int
		ok   bool
	}{
		{"load", env.Append(nil, kindLoad, 42), kindLoad, 42, true},
		{"warm-up", env.Append(nil, kindWarmup, 3), kindWarmup, 3, true},
		{"baseline", env.Append(nil, kindBaseline, 0), kindBaseline, 0, true},
		{"re-serialized with spaces", []byte(`{"eventType": "x", "eventId" : "r-e5"}`), kindLoad, 5, true},
		{"no id", []byte(`{"eventType":"x"}`), 0, 0, false},
		{"id not a string", []byte(`{"eventId":5}`), 0, 0, false},
		{"no dash", []byte(`{"eventId":"abc"}`), 0, 0, false},
		{"no number", []byte(`{"eventId":"a-e"}`), 0, 0, false},
		{"not a number", []byte(`{"eventId":"a-ex1"}`), 0, 0, false},
		{"unterminated", []byte(`{"eventId":"a-e1`), 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind, seq, ok := parseEventID(http.Header{}, tt.body)
			if ok != tt.ok || (ok && (kind != tt.kind || seq != tt.seq)) {
				t.Fatalf("parseEventID = %c %d %v; want %c %d %v", kind, seq, ok, tt.kind, tt.seq, tt.ok)
			}
		})
	}
	// engagehub's webhook-id wins over the body, which a transformation
	// may have reshaped; a webhook-id of another form leaves the body to
	// speak (the bare-HTTP baseline's msg_b<seq>).
	reshaped := []byte(`{"id":"r-e7","data":{}}`)
	if kind, seq, ok := parseEventID(http.Header{"Webhook-Id": {"msg_r-e7"}}, reshaped); !ok || kind != kindLoad || seq != 7 {
		t.Errorf("from webhook-id: %c %d %v; want e 7 true", kind, seq, ok)
	}
	if kind, seq, ok := parseEventID(http.Header{"Webhook-Id": {"msg_b3"}}, env.Append(nil, kindBaseline, 3)); !ok || kind != kindBaseline || seq != 3 {
		t.Errorf("baseline id: %c %d %v; want b 3 true", kind, seq, ok)
	}
}
