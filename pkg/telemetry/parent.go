package telemetry

import (
	"net/http"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Parent is a W3C trace context as it travels: the traceparent and
// tracestate header values. The zero Parent is no trace context.
type Parent struct {
	TraceParent string
	TraceState  string
}

// Empty reports whether p carries no trace context.
func (p Parent) Empty() bool { return p.TraceParent == "" }

// ParentFromHTTP is h's trace context, kept only when its traceparent is
// well formed (W3C: an invalid one is ignored, and its tracestate with it).
func ParentFromHTTP(h http.Header) Parent {
	tp := first(h[canonicalParent])
	if !ValidTraceParent(tp) {
		return Parent{}
	}
	return Parent{TraceParent: tp, TraceState: first(h[canonicalState])}
}

// first is a header's first value (h.Get without canonicalising the name).
func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// ParentFromRecord is a record's trace context, read from its headers.
func ParentFromRecord(hs []kafka.Header) Parent {
	var p Parent
	for _, h := range hs {
		switch h.Key {
		case HeaderTraceParent:
			p.TraceParent = string(h.Value)
		case HeaderTraceState:
			p.TraceState = string(h.Value)
		}
	}
	if !ValidTraceParent(p.TraceParent) {
		return Parent{}
	}
	return p
}

// The headers' canonical HTTP names (http.Header keys).
const (
	canonicalParent = "Traceparent"
	canonicalState  = "Tracestate"
)

// SetHTTP sets p's headers on h; nothing when p is empty.
func (p Parent) SetHTTP(h http.Header) {
	if p.TraceParent == "" {
		return
	}
	h[canonicalParent] = []string{p.TraceParent}
	if p.TraceState != "" {
		h[canonicalState] = []string{p.TraceState}
	}
}

// AppendTo returns hs with p's headers set (replacing those of the same
// name); hs unchanged when p is empty.
func (p Parent) AppendTo(hs []kafka.Header) []kafka.Header {
	if p.TraceParent == "" {
		return hs
	}
	c := RecordCarrier(hs)
	c.Set(HeaderTraceParent, p.TraceParent)
	if p.TraceState != "" {
		c.Set(HeaderTraceState, p.TraceState)
	}
	return c
}

// ValidTraceParent reports whether s is a W3C traceparent this code can
// pass on: version 00 with its four fields, lowercase hex, neither id all
// zeros (a later version's first four fields are accepted as well).
func ValidTraceParent(s string) bool {
	if len(s) < 55 || (len(s) > 55 && (s[:2] == "00" || s[55] != '-')) {
		return false
	}
	if s[2] != '-' || s[35] != '-' || s[52] != '-' || s[:2] == "ff" {
		return false
	}
	return isHex(s[:2]) && nonZeroHex(s[3:35]) && nonZeroHex(s[36:52]) && isHex(s[53:55])
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func nonZeroHex(s string) bool {
	if !isHex(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return true
		}
	}
	return false
}
