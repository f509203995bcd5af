package delivery

import (
	"slices"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// Ordering says whether one contact's events must arrive in order.
type Ordering string

// Orderings.
const (
	// OrderingKey delivers one contact's events strictly in order; a contact
	// waiting on a retry holds back only its own later events.
	OrderingKey Ordering = "key"
	// OrderingNone delivers without any per-contact constraint.
	OrderingNone Ordering = "none"
)

// Endpoint is what the sender needs to know about one webhook subscription.
type Endpoint struct {
	ID          string            // subscription id (slug)
	URL         string            // destination
	Headers     map[string]string // custom request headers
	Timeout     time.Duration     // per request; 0 means Config.Timeout
	Ordering    Ordering          // OrderingKey (default) or OrderingNone
	RateLimit   float64           // events/s; 0 means unlimited
	MaxInFlight int               // concurrent requests; 0 means Config.MaxInFlight
	// Pipelining > 0 pipelines the requests over at most this many
	// connections of the subscription's own (over the fasthttp client;
	// net/http sends them one per connection); 0: the client's own way.
	Pipelining int
	// RetrySchedule replaces Config.RetrySchedule for this subscription
	// (nil: the config's). Its delays wait in memory up to
	// Config.MemoryRetryMax; a longer one is rounded up to the shared
	// retry tier of the next configured delay (capped at the longest).
	RetrySchedule []time.Duration
	SvixHeaders   bool                 // also send the svix-* header names
	Secrets       []webhook.Secret     // active signing secrets, newest first
	SigningKeys   []webhook.SigningKey // active Ed25519 signing keys (v1a), newest first
	EventTypes    []string             // patterns the subscription matches (for replay)
	// Transform, when set, rewrites each request before it is signed; a
	// change of transformation must come with a new value (endpoints
	// compare it by identity).
	Transform Transformer
	Filter    RecordFilter // replay keeps only what it keeps (fan-out filters live events); nil: all
	Auth      *Auth        // destination authentication; nil: none
}

// MessageID is the webhook-id of an event sent to a subscription: stable across
// every retry of that event to that subscription, so receivers can deduplicate.
func MessageID(eventID string) string { return "msg_" + eventID }

func (e Endpoint) withDefaults(cfg Config) Endpoint {
	if e.Timeout <= 0 {
		e.Timeout = cfg.Timeout
	}
	if e.MaxInFlight <= 0 {
		e.MaxInFlight = cfg.MaxInFlight
	}
	if e.Ordering == "" {
		e.Ordering = OrderingKey
	}
	if len(e.RetrySchedule) == 0 {
		e.RetrySchedule = cfg.RetrySchedule
	}
	return e
}

// sameShape reports whether a worker built for e can serve o by swapping
// its sender (secrets, URL, headers, timeout): ordering, rate limit and
// concurrency are the worker's own structure.
func (e Endpoint) sameShape(o Endpoint) bool {
	return e.ID == o.ID && e.Ordering == o.Ordering && e.RateLimit == o.RateLimit && e.MaxInFlight == o.MaxInFlight && e.Pipelining == o.Pipelining &&
		slices.Equal(e.RetrySchedule, o.RetrySchedule) && e.Auth.sameCert(o.Auth)
}

// same reports whether two endpoints configure a worker identically.
func (e Endpoint) same(o Endpoint) bool {
	if e.ID != o.ID || e.URL != o.URL || e.Timeout != o.Timeout || e.Ordering != o.Ordering ||
		e.RateLimit != o.RateLimit || e.MaxInFlight != o.MaxInFlight || e.Pipelining != o.Pipelining || e.SvixHeaders != o.SvixHeaders ||
		len(e.Headers) != len(o.Headers) || len(e.Secrets) != len(o.Secrets) || e.Transform != o.Transform ||
		!slices.Equal(e.RetrySchedule, o.RetrySchedule) || !e.Auth.equal(o.Auth) {
		return false
	}
	for k, v := range e.Headers {
		if o.Headers[k] != v {
			return false
		}
	}
	for i := range e.Secrets {
		if string(e.Secrets[i]) != string(o.Secrets[i]) {
			return false
		}
	}
	return slices.EqualFunc(e.SigningKeys, o.SigningKeys, webhook.SigningKey.Equal)
}
