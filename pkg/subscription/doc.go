// Package subscription is engagehub's model of who wants which events:
// the Subscription type and its validation (a filter is type-checked with
// package filter, a transformation tried on the catalog examples with
// package transform), the signing secrets of webhook
// subscribers (generated once, stored encrypted with Cipher), the Store
// that keeps every subscription in the compacted topic
// engagehub.subscriptions, and the Matcher that answers "which enabled
// subscriptions want this event type" for fan-out on every event.
//
// It sits between the admin API (which edits subscriptions) and the roles
// that act on them: fan-out reads the Matcher, the senders read a
// subscription's destination, limits and ActiveSecrets, and the topic
// reconciler creates and retires delivery topics.
//
// The package performs no network I/O of its own and imports neither
// kafka-go nor net/http: the Store writes through a Log (see Opener), which
// package subscription/kafkatable implements over pkg/kafka's Table. Every
// instance replays the topic into its own in-memory view, so a change made
// on one instance is seen by all of them as soon as they read the record.
package subscription
