package event

// Type is an Engage event type, such as "point.balance.updated". A Type
// outside the catalog is still a valid event: it is routed, raw, to the
// unrecognized topic.
type Type string

// The Engage event types of the catalog (DESIGN.md §1).
const (
	ContactAcceptsEmailChanged    Type = "contact.acceptsEmail.changed"
	ContactAcceptsSmsChanged      Type = "contact.acceptsSms.changed"
	ContactAcceptsPostalChanged   Type = "contact.acceptsPostal.changed"
	ContactConsentChanged         Type = "contact.consent.changed"
	ContactCreated                Type = "contact.created"
	ContactUpdated                Type = "contact.updated"
	ContactDeleted                Type = "contact.deleted"
	LoyaltyAddPoints              Type = "loyalty.addPoints"
	PointBalanceUpdated           Type = "point.balance.updated"
	RewardVoucherCreated          Type = "reward.voucher.created"
	PromotionMultichannelAssigned Type = "promotion.multichannel.assigned"
)

// unrecognizedSuffix names the topic of event types outside the catalog.
const unrecognizedSuffix = "_unrecognized"

// Known reports whether t is in the catalog.
func (t Type) Known() bool {
	_, ok := lookup(t)
	return ok
}

// Topic returns the Kafka topic of events of type t: prefix + t, e.g.
// "engage." + "point.balance.updated". It does not check that t is known;
// callers route unknown types to UnrecognizedTopic.
func Topic(prefix string, t Type) string {
	return prefix + string(t)
}

// UnrecognizedTopic returns the topic of event types outside the catalog,
// e.g. "engage._unrecognized".
func UnrecognizedTopic(prefix string) string {
	return prefix + unrecognizedSuffix
}
