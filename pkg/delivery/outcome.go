package delivery

import (
	"fmt"
	"time"
)

// Kind is what happens to an event after one attempt.
type Kind int

// Kinds of outcome.
const (
	// Delivered: the receiver answered 2xx.
	Delivered Kind = iota
	// Retry: 408, 429, 5xx, a timeout or a connection error; try again later.
	Retry
	// DeadLetter: another 4xx (or 3xx), an address the dial policy refuses, a
	// malformed destination URL, an undecodable record, a failed
	// transformation, or a receiver's webhook-delivery: abort-message.
	DeadLetter
	// Disable: 410 Gone, or a receiver's webhook-delivery: disable; the
	// subscription is disabled.
	Disable
)

func (k Kind) String() string {
	switch k {
	case Delivered:
		return "delivered"
	case Retry:
		return "retry"
	case DeadLetter:
		return "dead_letter"
	case Disable:
		return "disable"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Outcome is the classification of one attempt.
type Outcome struct {
	Kind Kind
	// After is the receiver's Retry-After, clamped to [1s, 1h]; 0 when absent
	// (then the retry schedule decides).
	After time.Duration
	// Class names the cause for logs and metrics: "2xx", "429", "5xx",
	// "timeout", "connection", "ssrf", "destination", "decode", "transform",
	// "4xx", "3xx", "gone", "aborted", "disabled".
	Class string
}
