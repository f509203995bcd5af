package subscription

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/transform"
)

var (
	idPattern    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	topicPattern = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
)

// Timeout bounds of a webhook destination.
const (
	MinTimeout = time.Second
	MaxTimeout = 60 * time.Second
	// MaxPipelining bounds Destination.Pipelining (connections).
	MaxPipelining = 64
)

// reservedHeaders are set by the sender and may not be configured.
var reservedHeaders = []string{"content-type", "content-length", "host", "transfer-encoding",
	"connection", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"}

// Validate returns a *ValidationError listing every problem with s (after
// defaults are applied), or nil. reservedTopics are topic prefixes a Kafka
// destination may not use (engagehub's own and the event topics, which
// would feed fan-out its own output). A transformation is tried within
// transform.DefaultConfig's limits (the Store uses Options.Transform).
func Validate(s Subscription, reservedTopics ...string) error {
	return validate(s, transform.DefaultConfig(), reservedTopics)
}

func validate(s Subscription, limits transform.Config, reservedTopics []string) error {
	var p problems
	if !idPattern.MatchString(s.ID) {
		p.add("id", "must match ^[a-z0-9][a-z0-9-]{0,62}$")
	}
	if len(s.Description) > 1024 {
		p.add("description", "must be at most 1024 characters")
	}
	validateEventTypes(&p, s.EventTypes)
	validateDestination(&p, s.Destination, reservedTopics)
	if s.Ordering != OrderingKey && s.Ordering != OrderingNone {
		p.add("ordering", `must be "key" or "none"`)
	}
	if s.RateLimit < 0 {
		p.add("rateLimit", "must not be negative")
	}
	if s.MaxInFlight < 0 || s.MaxInFlight > MaxInFlightLimit {
		p.add("maxInFlight", fmt.Sprintf("must be between 0 (the sender's default) and %d", MaxInFlightLimit))
	}
	validateRetrySchedule(&p, s)
	validateSignature(&p, s)
	validateFilter(&p, s)
	validateTransform(&p, s, limits)
	return p.err()
}

func validateEventTypes(p *problems, types []string) {
	if len(types) == 0 {
		p.add("eventTypes", "must list at least one event type or pattern")
	}
	for i, pat := range types {
		field := fmt.Sprintf("eventTypes[%d]", i)
		if err := event.ValidPattern(pat); err != nil {
			p.add(field, strings.TrimPrefix(err.Error(), "event: "))
			continue
		}
		if pat != "*" && !strings.HasSuffix(pat, ".*") && !event.Type(pat).Known() {
			p.add(field, fmt.Sprintf("%q is not an event type of the catalog (GET /v1/event-types lists them)", pat))
		}
	}
}

func validateDestination(p *problems, d Destination, reservedTopics []string) {
	switch d.Type {
	case DestinationWebhook:
		validateWebhook(p, d)
	case DestinationKafka:
		validateKafka(p, d, reservedTopics)
	default:
		p.add("destination.type", `must be "webhook" or "kafka"`)
	}
}

func validateWebhook(p *problems, d Destination) {
	u, err := url.Parse(d.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add("destination.url", "must be an absolute http(s) URL")
	}
	for _, name := range slices.Sorted(maps.Keys(d.Headers)) {
		value, field := d.Headers[name], "destination.headers."+name
		switch {
		case !validHeaderName(name):
			p.add(field, "is not a valid header name")
		case isReservedHeader(name):
			p.add(field, "is set by engagehub and cannot be configured")
		case strings.ContainsAny(value, "\r\n\x00"):
			p.add(field, "value must not contain CR, LF or NUL")
		}
	}
	if t := d.Timeout.Std(); t != 0 && (t < MinTimeout || t > MaxTimeout) {
		p.add("destination.timeout", "must be between 1s and 60s (absent: the sender's sender.timeout)")
	}
	if d.Pipelining < 0 || d.Pipelining > MaxPipelining {
		p.add("destination.pipelining", fmt.Sprintf("must be between 0 (the sender's sender.pipelining) and %d connections", MaxPipelining))
	}
	validateAuth(p, d)
	if d.Topic != "" {
		p.add("destination.topic", "only applies to kafka destinations")
	}
	if d.Format != "" {
		p.add("destination.format", "only applies to kafka destinations")
	}
}

func validateKafka(p *problems, d Destination, reservedTopics []string) {
	switch {
	case !topicPattern.MatchString(d.Topic) || d.Topic == "." || d.Topic == "..":
		p.add("destination.topic", "must be a legal Kafka topic name (letters, digits, '.', '_', '-'; at most 249)")
	case strings.HasPrefix(d.Topic, "__"):
		p.add("destination.topic", "must not start with \"__\" (Kafka's internal topics)")
	default:
		for _, prefix := range reservedTopics {
			if prefix != "" && strings.HasPrefix(d.Topic, prefix) {
				p.add("destination.topic", fmt.Sprintf("must not start with %q (engagehub's own topics)", prefix))
				break
			}
		}
	}
	if d.Format != FormatAvro && d.Format != FormatJSON {
		p.add("destination.format", `must be "avro" or "json"`)
	}
	if d.URL != "" {
		p.add("destination.url", "only applies to webhook destinations")
	}
	if d.Pipelining != 0 {
		p.add("destination.pipelining", "only applies to webhook destinations")
	}
	if len(d.Headers) > 0 {
		p.add("destination.headers", "only applies to webhook destinations")
	}
	if d.Timeout != 0 {
		p.add("destination.timeout", "only applies to webhook destinations")
	}
	if d.Auth != nil {
		p.add("destination.auth", "only applies to webhook destinations")
	}
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

func isReservedHeader(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "svix-") {
		return true
	}
	for _, r := range reservedHeaders {
		if lower == r {
			return true
		}
	}
	return false
}

func validateSignature(p *problems, s Subscription) {
	switch {
	case s.Destination.Type == DestinationKafka:
		if s.Signature != "" {
			p.add("signature", "only applies to webhook destinations")
		}
	case s.Destination.IsWebhook() && s.Signature != SignatureHMAC && s.Signature != SignatureEd25519:
		p.add("signature", `must be "hmac-sha256" or "ed25519"`)
	}
}

func validateRetrySchedule(p *problems, s Subscription) {
	switch {
	case len(s.RetrySchedule) == 0:
		return
	case s.Destination.Type == DestinationKafka:
		p.add("retrySchedule", "only applies to webhook destinations")
		return
	case len(s.RetrySchedule) > MaxRetryAttempts:
		p.add("retrySchedule", fmt.Sprintf("must list at most %d attempts, got %d", MaxRetryAttempts, len(s.RetrySchedule)))
	}
	for i, d := range s.RetrySchedule {
		if d.Std() < 0 || d.Std() > MaxRetryDelay {
			p.add(fmt.Sprintf("retrySchedule[%d]", i), fmt.Sprintf("must be between 0s and %s, got %s", MaxRetryDelay, d.Std()))
		}
	}
}
