// Package ingest is engagehub's front door over HTTP: it turns Engage's
// signed webhooks (POST /ingest/engage) and internal producers' requests
// (POST /v1/events) into records on the per-type Avro topics.
//
//	Engage ─(svix-signed POST)─► /ingest/engage ─┐
//	service ─(bearer POST)─────► /v1/events ─────┴─► engage.<eventType> ─► fanout
//
// Each request goes through named steps — read (413), verify (401, Engage
// only), content type (415), parse (400), validate (422), deduplicate
// (Engage's message id), encode, publish — and is answered 2xx only after
// Kafka acknowledged every record with acks=all; when Kafka cannot, it is
// answered 503 with Retry-After within ingest.write_timeout, so Engage
// retries and nothing is lost. A request is all or nothing as far as
// validation goes: one bad element of a batch rejects the batch before
// anything is written.
//
// Records are built by package producer (same topics, key and headers as
// services producing directly); concurrent requests share Kafka produce
// requests because the writer batches concurrent WriteMessages calls.
//
// Deduplication remembers the message ids written in the last
// ingest.dedup_window (bounded by ingest.dedup_capacity) in memory, and an
// in-flight set makes two concurrent deliveries of one id write once. The
// window is shared through Kafka (Journal): every replica publishes the
// hashes of the ids it wrote to ingest.dedup_topic, gathered for
// ingest.dedup_publish_interval per record, and follows what the others
// publish, so Engage's retry of a message written by one replica is a
// duplicate on every other; at start-up Run replays the topic's last window
// (a million ids in under a second) before it opens the doors. Records from
// Engage also carry the message id in a webhook-id header.
//
// POST /v1/events with an Idempotency-Key is idempotent: the first 2xx
// response to a key is remembered for ingest.idempotency_window, published
// to ingest.idempotency_topic (ResponseLog) before it is sent and replayed
// at start-up, so the same key and body get it again on any replica and
// write nothing; another body with the key gets 422.
//
// Kafka outages are waited out: writes answer 503 with Retry-After within
// ingest.write_timeout, and the replay, the journal's follower and its
// publisher retry with capped backoff until Kafka answers again.
package ingest
