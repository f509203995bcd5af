// Package fanout is the role that copies each event to every subscriber
// that wants it: a consumer group ("engagehub-fanout") over the event
// topics engage.<type> and engage._unrecognized, writing each matching
// subscription's copy to its delivery topic engagehub.deliver.<id>
// (webhook subscribers, consumed by the senders of package delivery) or to
// the subscriber's own Kafka topic (Avro as is, or the original envelope
// JSON).
//
//	engage.<type> ──► Fanout ──► engagehub.deliver.<id> ──► sender
//	                         └─► <team topic>
//
// It works in batches: up to fanout.batch_size records (or what arrived
// within fanout.linger, or the records whose copies reach
// fanout.batch_copies), every copy of the batch written with one
// WriteMessages call (acks=all), and only then the batch's offsets
// committed. The stages overlap, bounded to one batch each: the next batch
// is fetched while one is written and the one before is committed; batches
// are written one after another and committed in order, so a commit never
// covers a batch whose copies (or an earlier batch's) are not all
// acknowledged. A copy keeps the event's key and value bytes, so one
// contact's events reach each subscriber's topic in the order they had on
// the event topic. The set of subscriptions comes from the
// subscription.Matcher, loaded once per batch: a subscription created,
// disabled, deleted or given another filter takes effect from the next
// batch.
//
// A subscription's filter (package filter) decides, per event, whether it
// gets a copy. Filters read the record's headers and key for free; an
// event is decoded only when some filter reads its payload (or a json
// destination wants its envelope), once per event whatever the number of
// subscriptions, and only the payload fields those filters read
// (schema.Serde.Project). The fetching goroutine decides a batch's
// filters while the previous batch is written; the writer reuses the
// decisions unless the subscriptions changed in between. An event that
// cannot be decoded for a subscription that needs it decoded is
// dead-lettered for that subscription (engagehub.dlq.<id>, class
// "decode", headers as the senders write them) in the same batch, in
// place of its copy; a decoder error that may pass (the registry away)
// fails the batch, which is retried. Copies, filtered-out events
// (reason filter, filter_error) and dead letters are counted per
// subscription.
//
// Delivery is at-least-once. After a crash or a rebalance the uncommitted
// batch is copied again, so a subscriber's topic may hold an event twice;
// fan-out does not deduplicate (it would need state across instances):
// the senders and Kafka subscribers deduplicate by event id (the event-id
// header, the webhook-id downstream).
//
// A Kafka outage stops the copying but not the role: a failed fetch,
// write or commit is retried with capped exponential backoff
// (fanout.retry_backoff doubling up to kafka.retry_backoff_max) until
// Kafka answers, and the group resumes from the last committed offset.
//
// Reconciler, the other type here, keeps the topics in line with the
// subscriptions: it creates delivery topics and Kafka-destination topics,
// and deletes a deleted subscription's delivery topic after
// subscriptions.delete_grace.
package fanout
