package delivery

import (
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Record headers the sender reads and writes.
const (
	HeaderEventID      = "event-id"
	HeaderEventType    = "event-type"
	HeaderSource       = "source"
	HeaderReceivedAt   = "received-at"
	HeaderSubscription = "subscription"
	// On retry-tier records.
	HeaderRetryAttempt = "retry-attempt" // attempts already made
	HeaderRetryDue     = "retry-due"     // RFC3339Nano; not delivered before
	HeaderRetryParked  = "retry-parked"  // "true": waiting behind its contact's head, not attempted
	// On dead-letter records.
	HeaderDLQStatus   = "dlq-status"
	HeaderDLQError    = "dlq-error"
	HeaderDLQAttempts = "dlq-attempts"
	HeaderDLQAt       = "dlq-at"
)

func header(m kafka.Message, name string) string {
	v, _ := lookupHeader(m, name)
	return v
}

func lookupHeader(m kafka.Message, name string) (string, bool) {
	for _, h := range m.Headers {
		if h.Key == name {
			return string(h.Value), true
		}
	}
	return "", false
}

// withHeaders returns a copy of hs without the sender's retry and dead-letter
// headers, plus kv (name, value pairs).
func withHeaders(hs []kafka.Header, kv ...string) []kafka.Header {
	out := make([]kafka.Header, 0, len(hs)+len(kv)/2)
	for _, h := range hs {
		switch h.Key {
		case HeaderRetryAttempt, HeaderRetryDue, HeaderRetryParked,
			HeaderDLQStatus, HeaderDLQError, HeaderDLQAttempts, HeaderDLQAt:
			continue
		}
		out = append(out, h)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, kafka.Header{Key: kv[i], Value: []byte(kv[i+1])})
	}
	return out
}

func headerInt(m kafka.Message, name string) int {
	n, _ := strconv.Atoi(header(m, name))
	return n
}

func headerTime(m kafka.Message, name string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, header(m, name))
	return t
}
