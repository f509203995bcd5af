// Package delivery is engagehub's webhook sender: the last hop of the pipeline.
//
//	engage.<type> ─► fanout ─► engagehub.deliver.<sub> ─► Supervisor ─► Worker ─► signed POST ─► receiver
//	                                  ▲    ▲                               │
//	                                  │    └── redrive ◄── engagehub.dlq.<sub> ◄──┤ (dead letters)
//	                                  └─ mover ◄── engagehub.retry.<delay> ◄──────┘ (long retries, parked followers)
//
// The files fall in three rooms:
//
//   - the per-subscription policy (worker.go, process.go, dispatch.go,
//     classify.go, send.go, circuit.go, ratelimit.go, backoff.go,
//     deadletter.go, disable.go, transform.go): a Worker is one webhook
//     subscription's state — its sender, circuit breaker, rate limit,
//     in-flight bound, per-contact ordering queues — and owns no Kafka
//     consumer and no goroutine while idle;
//   - the shared consumption (supervisor.go, intake.go, offsets.go, tier.go,
//     mover.go, restore.go, legacy.go, kafkabroker.go, ports.go): one Feed —
//     one consumer-group member, engagehub-sender — reads every
//     subscription's delivery topic and hands each record to its Worker; a
//     partition is fetched only while its Worker can take more (buffer,
//     circuit, not disabled), so a paused subscription pauses only itself.
//     Long retries go to retry tiers shared by every subscription; a second
//     member (the mover) writes each back to its delivery topic when due.
//     On assignment the parked contacts of the subscriptions whose partitions
//     arrive are rebuilt from the tiers;
//   - the operator operations (routes.go, replay.go, deadletters.go,
//     tail.go, attempt.go): attempts, dead letters, redrive, replay and test
//     pings over the admin API.
//
// A Worker signs each event's original envelope JSON (Standard Webhooks),
// POSTs it, and classifies the answer with Classify into one Outcome:
// Delivered, Retry, DeadLetter or Disable. Short retries wait in memory;
// long ones go to the retry tiers, which survive restarts. With ordering
// "key" one contact's events are delivered strictly in order while every
// other contact flows. Offsets are committed per partition only up to the
// highest contiguous settled record (delivered, or durably written to a
// retry tier or the dead-letter topic), so delivery is at-least-once.
//
// A circuit breaker per subscription stops pulling work from a failing endpoint
// and probes it; after Config.DisableAfter of continuous failure (or a 410) the
// subscription is disabled through a Disabler and an operational event is
// published. Every attempt is logged, in batches, on engagehub.attempts.
//
// A receiver steers its deliveries with the webhook-delivery response
// header (ClassifyResult): abort-message dead-letters the message,
// disable disables the subscription. An Endpoint may carry its own retry
// schedule, timeout and concurrency (overrides of Config), and an Auth:
// basic, an OAuth2 client-credentials token (cached, fetched again once
// after a 401) and a TLS client certificate on the subscription's pool.
//
// Routes serves the per-subscription attempts, dead letters, redrive, replay
// and test-ping endpoints. Package receiver is a verifying receiver for demos.
package delivery
