package event

// Record header names: the wire vocabulary shared by everything that writes
// or reads engagehub's topics (ingest, the Go producer, fan-out, the
// sender), and by downstream consumers.
const (
	// On every event record (engage.<type>) and every copy of one.
	HeaderEventID    = "event-id"
	HeaderEventType  = "event-type"
	HeaderSource     = "source"      // "engage" or the producing service
	HeaderReceivedAt = "received-at" // RFC 3339 with nanoseconds, UTC
	// HeaderWebhookID is on records from Engage: the webhook message id,
	// from which ingest rebuilds its dedup window at start-up.
	HeaderWebhookID = "webhook-id"
	// HeaderSubscription is on delivery-topic copies: the subscription id.
	HeaderSubscription = "subscription"
	// On retry-tier records (engagehub.retry.<id>.<tier>).
	HeaderRetryAttempt = "retry-attempt" // attempts already made
	HeaderRetryDue     = "retry-due"     // RFC 3339 with nanoseconds; not delivered before
	HeaderRetryParked  = "retry-parked"  // "true": waiting behind its contact's head, not attempted
	// On dead-letter records (engagehub.dlq.<id>).
	HeaderDLQStatus   = "dlq-status"
	HeaderDLQError    = "dlq-error"
	HeaderDLQAttempts = "dlq-attempts"
	HeaderDLQAt       = "dlq-at"
	// HeaderDLQRedriven is on a redrive marker (a dead-letter topic record
	// without a value): the dead letters of its event-id dead-lettered
	// before this time (RFC 3339) were redriven.
	HeaderDLQRedriven = "dlq-redriven"
)

// Topics returns the event topics under prefix: one per catalog type, in
// catalog order, then the unrecognized topic. Ingest writes them, fan-out
// reads them, and downstream teams consume them.
func Topics(prefix string) []string {
	out := make([]string, 0, len(catalog)+1)
	for _, s := range catalog {
		out = append(out, Topic(prefix, s.Type))
	}
	return append(out, UnrecognizedTopic(prefix))
}
