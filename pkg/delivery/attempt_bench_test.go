package delivery

import (
	"net/http"
	"testing"
	"time"
)

// benchAttempt is a delivered attempt as the worker records it: the
// request headers of a signed webhook, no response excerpt.
func benchAttempt() Attempt {
	h := http.Header{}
	for k, v := range map[string]string{
		"Content-Type": "application/json", "User-Agent": "engagehub/1", "Webhook-Id": "evt_2Qx7c1mJ0bQ8zZ3nKp",
		"Webhook-Timestamp": "1764547200", "Webhook-Signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
	} {
		h.Set(k, v)
	}
	return Attempt{Subscription: "sub-421", EventID: "evt_2Qx7c1mJ0bQ8zZ3nKp", EventType: "contact.updated", ContactID: "c-17",
		Attempt: 1, Status: 200, LatencyMS: 1.25, Outcome: "delivered", Class: "ok", At: time.Now(),
		Topic: "engagehub.delivery.sub-421", Partition: 3, Offset: 123456, header: h}
}

// BenchmarkAttemptRecord is the attempt log's cost per attempt: redact the
// request headers and encode the record (paid on the attempt log's
// goroutine, once per delivery attempt).
func BenchmarkAttemptRecord(b *testing.B) {
	l := NewAttemptLog("engagehub.attempts", nil, 1, nil, nil)
	a := benchAttempt()
	b.ReportAllocs()
	for b.Loop() {
		if m := l.message(a); len(m.Value) == 0 {
			b.Fatal("empty record")
		}
	}
}
