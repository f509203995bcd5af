package subscription

import (
	"maps"
	"slices"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// Destination kinds.
const (
	DestinationWebhook = "webhook"
	DestinationKafka   = "kafka"
)

// Kafka destination formats.
const (
	FormatAvro = "avro"
	FormatJSON = "json"
)

// Ordering says whether a subscriber's events of one contact are delivered
// in order (OrderingKey) or may overtake each other on retry (OrderingNone).
type Ordering string

// Orderings.
const (
	OrderingKey  Ordering = "key"
	OrderingNone Ordering = "none"
)

// Signature schemes.
const (
	SignatureHMAC    = "hmac-sha256"
	SignatureEd25519 = "ed25519"
)

// Bounds of the per-subscription overrides (the sender's configuration
// gives the defaults: sender.retry_schedule, sender.max_in_flight,
// sender.timeout).
const (
	MaxRetryAttempts = 20             // retrySchedule entries
	MaxRetryDelay    = 24 * time.Hour // one retrySchedule entry
	MaxInFlightLimit = 1000           // maxInFlight
)

// Subscription is one subscriber: which event types it wants and where they
// go. Its JSON form is the admin API's (DESIGN.md §3). Values returned by
// the Store are copies; a Subscription from a Snapshot is shared and must
// not be modified.
type Subscription struct {
	// ID is a slug: lowercase letters, digits and '-', 1–63 characters.
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	// EventTypes are exact catalog names or patterns ("contact.*", "*").
	EventTypes  []string    `json:"eventTypes"`
	Destination Destination `json:"destination"`
	// Ordering defaults to OrderingKey.
	Ordering Ordering `json:"ordering"`
	// RateLimit caps deliveries per second; 0 means unlimited.
	RateLimit float64 `json:"rateLimit"`
	// MaxInFlight caps concurrent deliveries, at most MaxInFlightLimit; 0
	// means the sender's default (sender.max_in_flight).
	MaxInFlight int `json:"maxInFlight,omitempty"`
	// RetrySchedule, when set, replaces the sender's retry schedule
	// (sender.retry_schedule) for this subscription: the wait before each
	// attempt, the first usually 0; its length is the number of attempts
	// (at most MaxRetryAttempts, each at most MaxRetryDelay). Webhook
	// destinations only.
	RetrySchedule []RetryDelay `json:"retrySchedule,omitempty"`
	// Signature is how webhooks are signed: SignatureHMAC (Standard
	// Webhooks "v1,", the default) or SignatureEd25519 ("v1a,"). Webhook
	// destinations only.
	Signature string `json:"signature,omitempty"`
	// SvixHeaders makes the sender add the svix-* header names too.
	SvixHeaders bool `json:"svixHeaders"`
	// Filter is a CEL expression over the event (package filter): only
	// events of EventTypes for which it is true are copied to the
	// subscriber. Empty: every event of EventTypes.
	Filter string `json:"filter,omitempty"`
	// Transform is a JavaScript handler(webhook) (package transform) the
	// sender runs on each webhook before signing it. Webhook destinations
	// only; empty: the body is the event's original envelope.
	Transform string `json:"transform,omitempty"`
	// Enabled defaults to true; a disabled subscription gets no copies.
	Enabled bool `json:"enabled"`
	// CreatedAt and UpdatedAt are set by the Store.
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// DisabledReason says why the system disabled the subscription
	// (e.g. the endpoint answered 410); cleared when it is re-enabled.
	DisabledReason string `json:"disabledReason,omitempty"`

	// secrets are the decrypted signing secrets, newest first; never serialized.
	secrets []secret
	// auth is Destination.Auth with its secrets (Destination.Auth has none
	// once stored); never serialized.
	auth *Auth
}

// Destination is where a subscription's events go: a webhook endpoint or a
// Kafka topic.
type Destination struct {
	// Type is DestinationWebhook or DestinationKafka.
	Type string `json:"type"`
	// URL, Headers and Timeout apply to webhook destinations. Timeout is
	// per request, MinTimeout..MaxTimeout; 0 (absent) means the sender's
	// (sender.timeout, default 15s).
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	Timeout Duration          `json:"timeout,omitempty"`
	// Pipelining, 1..MaxPipelining, pipelines this subscription's requests
	// (HTTP/1.1) over at most that many connections of its own: requests
	// waiting for a connection go out together, for a receiver that
	// answers quickly (a slow answer holds up those behind it). 0 (absent):
	// the sender's sender.pipelining. Needs sender.http_client fasthttp.
	Pipelining int `json:"pipelining,omitempty"`
	// Auth authenticates the sender to a webhook destination; its secrets
	// are write-only (see Auth).
	Auth *Auth `json:"auth,omitempty"`
	// Topic and Format apply to Kafka destinations; Format defaults to avro.
	Topic  string `json:"topic,omitempty"`
	Format string `json:"format,omitempty"`
}

// IsWebhook reports whether events go to an HTTP endpoint.
func (d Destination) IsWebhook() bool { return d.Type == DestinationWebhook }

// Wants reports whether s is enabled and one of its patterns selects t.
func (s *Subscription) Wants(t event.Type) bool {
	if !s.Enabled {
		return false
	}
	for _, p := range s.EventTypes {
		if event.Match(p, t) {
			return true
		}
	}
	return false
}

// ActiveSecrets returns the HMAC secrets that sign deliveries at now,
// newest first: the current one, plus rotated-out ones still in their
// grace period. It is empty for Kafka destinations, and when the stored
// secrets could not be decrypted (wrong auth.secret_key).
func (s *Subscription) ActiveSecrets(now time.Time) []webhook.Secret {
	out := make([]webhook.Secret, 0, len(s.secrets))
	for _, sec := range s.secrets {
		if sec.active(now) && sec.signing.IsZero() {
			out = append(out, sec.key)
		}
	}
	return out
}

// ActiveSigningKeys returns the Ed25519 keys that sign deliveries at now,
// newest first, as ActiveSecrets does for HMAC secrets.
func (s *Subscription) ActiveSigningKeys(now time.Time) []webhook.SigningKey {
	var out []webhook.SigningKey
	for _, sec := range s.secrets {
		if sec.active(now) && !sec.signing.IsZero() {
			out = append(out, sec.signing)
		}
	}
	return out
}

// PublicKey is one Ed25519 public key a receiver may verify with.
type PublicKey struct {
	// Key is the text form, "whpk_…".
	Key string `json:"publicKey"`
	// ExpiresAt is when a rotated-out key stops signing; zero for the current one.
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
}

// PublicKeys returns the public keys of the Ed25519 keys signing at now,
// newest first; empty for an HMAC subscription.
func (s *Subscription) PublicKeys(now time.Time) []PublicKey {
	out := []PublicKey{}
	for _, sec := range s.secrets {
		if sec.active(now) && !sec.signing.IsZero() {
			out = append(out, PublicKey{Key: sec.signing.Public().String(), ExpiresAt: sec.expiresAt})
		}
	}
	return out
}

// CurrentPublicKey returns the public key of the current Ed25519 signing
// key, "" when the subscription signs with HMAC.
func (s *Subscription) CurrentPublicKey() string {
	if len(s.secrets) == 0 || s.secrets[0].signing.IsZero() {
		return ""
	}
	return s.secrets[0].signing.Public().String()
}

// DestinationAuth returns the webhook destination's authentication with
// its secrets, for the sender; nil when there is none. Never serialize it.
func (s *Subscription) DestinationAuth() *Auth { return s.auth.clone() }

// Clone returns a deep copy of s, safe to modify.
func (s Subscription) Clone() Subscription {
	s.EventTypes = slices.Clone(s.EventTypes)
	s.RetrySchedule = slices.Clone(s.RetrySchedule)
	s.Destination.Headers = maps.Clone(s.Destination.Headers)
	s.secrets = slices.Clone(s.secrets)
	s.Destination.Auth = s.Destination.Auth.clone()
	s.auth = s.auth.clone()
	return s
}

// withDefaults fills in what an API caller may leave out.
func (s Subscription) withDefaults() Subscription {
	if s.Ordering == "" {
		s.Ordering = OrderingKey
	}
	switch s.Destination.Type {
	case DestinationWebhook:
		if s.Signature == "" {
			s.Signature = SignatureHMAC
		}
	case DestinationKafka:
		if s.Destination.Format == "" {
			s.Destination.Format = FormatAvro
		}
	}
	return s
}
