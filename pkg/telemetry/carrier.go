package telemetry

import "github.com/engagehub/engagehub/pkg/kafka"

// Header names of the W3C trace context, on Kafka records and HTTP requests.
const (
	HeaderTraceParent = "traceparent"
	HeaderTraceState  = "tracestate"
)

// RecordCarrier is a record's headers as an OpenTelemetry TextMapCarrier:
// Set replaces a header of the same name or appends one.
type RecordCarrier []kafka.Header

// Get returns the first header named key, or "".
func (c *RecordCarrier) Get(key string) string {
	for _, h := range *c {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// Set replaces the header named key, or appends it.
func (c *RecordCarrier) Set(key, value string) {
	for i := range *c {
		if (*c)[i].Key == key {
			(*c)[i].Value = []byte(value)
			return
		}
	}
	*c = append(*c, kafka.Header{Key: key, Value: []byte(value)})
}

// Keys lists the header names.
func (c *RecordCarrier) Keys() []string {
	out := make([]string, len(*c))
	for i, h := range *c {
		out[i] = h.Key
	}
	return out
}
