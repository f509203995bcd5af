package event

import (
	"embed"
	"slices"
)

// Spec describes one event type of the catalog.
type Spec struct {
	Type        Type
	Description string
	// Required lists the payload fields that must be present, by canonical
	// camelCase name.
	Required []string
	// Fields lists every payload field Engage documents, in schema order.
	Fields []Field
	// Example is a sample envelope as Engage sends it (JSON).
	Example []byte
}

//go:embed testdata/samples/*.json
var samples embed.FS

var catalog = buildCatalog([]Spec{
	{Type: ContactAcceptsEmailChanged, Description: "Email opt-in changed on an existing contact.", Fields: optInFields("email")},
	{Type: ContactAcceptsSmsChanged, Description: "SMS opt-in changed on an existing contact.", Fields: optInFields("SMS")},
	{Type: ContactAcceptsPostalChanged, Description: "Postal opt-in changed on an existing contact.", Fields: optInFields("postal mail")},
	{Type: ContactConsentChanged, Description: "A consent value changed (it never reverts to not set).", Fields: []Field{
		fContactID,
		req("consentId", KindID, "The consent definition id."),
		req("value", KindBool, "The new consent value."),
		opt("date", KindTimestamp, "When the consent was given or withdrawn."),
		fSource,
		opt("comment", KindString, "A free-text comment on the change."),
	}},
	{Type: ContactCreated, Description: "A contact was created.", Fields: contactFields()},
	{Type: ContactUpdated, Description: "A contact was updated.", Fields: contactFields()},
	{Type: ContactDeleted, Description: "A contact was deleted.", Fields: []Field{fContactID}},
	{Type: LoyaltyAddPoints, Description: "Points were added through the UI or an automation; carries the transaction.", Fields: []Field{
		req("amount", KindDecimal, "Points added, as exact decimal text."),
		fContactID,
		req("pointDefinitionId", KindInt, "The point definition the points belong to."),
		req("source", KindString, "What added the points."),
		req("description", KindString, "The transaction description."),
		opt("userId", KindID, "The Engage user who added the points."),
		opt("userName", KindString, "The name of that user."),
		opt("reason", KindString, "Why the points were added."),
		opt("sourceId", KindID, "The id of the source, e.g. an automation."),
	}},
	{Type: PointBalanceUpdated, Description: "A contact's point balance changed.", Fields: []Field{
		req("balance", KindDecimal, "The new balance, as exact decimal text."),
		fContactID,
		req("accountId", KindInt, "The point account id."),
		req("definitionId", KindID, "The point definition id (Engage sends a string or an integer)."),
		opt("balanceExpires", KindTimestamp, "When the balance expires."),
	}},
	{Type: RewardVoucherCreated, Description: "A reward voucher was created (Engage sends PascalCase keys).", Fields: []Field{
		req("amount", KindDecimal, "The voucher value, as exact decimal text."),
		fContactID,
		req("currency", KindString, "ISO 4217 currency code."),
		req("id", KindID, "The voucher id."),
		req("uniqueCode", KindString, "The code the contact redeems."),
		opt("validFrom", KindTimestamp, "Start of validity."),
		opt("validTo", KindTimestamp, "End of validity."),
	}},
	{Type: PromotionMultichannelAssigned, Description: "A multichannel promotion was assigned (UI, automation or API).", Fields: []Field{
		req("id", KindID, "The assignment id, used to redeem."),
		req("promotionId", KindID, "The promotion id."),
		fContactID,
		opt("externalId", KindID, "The promotion's external id."),
		opt("name", KindString, "The promotion name."),
		opt("validFrom", KindTimestamp, "Start of validity."),
		opt("validTo", KindTimestamp, "End of validity."),
		opt("redemptionChannels", KindChannels, "Where and how the promotion can be redeemed."),
	}},
})

// buildCatalog fills Required and Example from Fields and the embedded samples.
func buildCatalog(specs []Spec) []Spec {
	for i := range specs {
		s := &specs[i]
		for _, f := range s.Fields {
			if f.Required {
				s.Required = append(s.Required, f.Name)
			}
		}
		example, err := samples.ReadFile("testdata/samples/" + string(s.Type) + ".json")
		if err != nil {
			panic("event: missing sample for " + string(s.Type)) // a build defect, caught by any test
		}
		s.Example = example
	}
	return specs
}

// Catalog returns the 11 event types, in a stable order. The returned specs
// are copies; callers may keep or modify them.
func Catalog() []Spec {
	out := make([]Spec, len(catalog))
	for i, s := range catalog {
		out[i] = clone(s)
	}
	return out
}

// Lookup returns the spec of type t, or false when t is not in the catalog.
func Lookup(t Type) (Spec, bool) {
	s, ok := lookup(t)
	if !ok {
		return Spec{}, false
	}
	return clone(*s), true
}

// byType indexes catalog for lookup.
var byType = func() map[Type]*Spec {
	m := make(map[Type]*Spec, len(catalog))
	for i := range catalog {
		m[catalog[i].Type] = &catalog[i]
	}
	return m
}()

// lookup returns the shared spec without copying, for internal hot paths.
func lookup(t Type) (*Spec, bool) {
	s, ok := byType[t]
	return s, ok
}

func clone(s Spec) Spec {
	s.Required = slices.Clone(s.Required)
	s.Fields = slices.Clone(s.Fields)
	s.Example = slices.Clone(s.Example)
	return s
}
