package delivery

import (
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
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
		case event.HeaderRetryAttempt, event.HeaderRetryDue, event.HeaderRetryParked,
			event.HeaderDLQStatus, event.HeaderDLQError, event.HeaderDLQAttempts, event.HeaderDLQAt:
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
