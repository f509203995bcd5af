// Package delivery is engagehub's webhook sender: the last hop of the pipeline.
//
//	engage.<type> ─► fanout ─► engagehub.deliver.<sub> ─► Worker ─► signed POST ─► receiver
//	                                  ▲                    │
//	                                  └── redrive ◄── engagehub.dlq.<sub> ◄──┤ (dead letters)
//	                  engagehub.retry.<sub>.<delay> ◄──────┘ (long retries, parked followers)
//
// A Supervisor runs one Worker per webhook subscription (an Endpoint). A Worker
// consumes its delivery topic in consumer group engagehub-sender-<sub>, signs
// each event's original envelope JSON (Standard Webhooks), POSTs it, and
// classifies the answer with Classify into one Outcome: Delivered, Retry,
// DeadLetter or Disable. An Endpoint's Transformer (a subscription's
// transformation) may first rewrite the request — body, headers, URL,
// method — or cancel it; the signature covers what it produced, and its
// failure dead-letters the event with class "transform". Short retries wait in memory; long ones go to
// delay-tier retry topics, which survive restarts. With ordering "key" one
// contact's events are delivered strictly in order while every other contact
// flows. Offsets are committed per partition only up to the highest contiguous
// settled record (delivered, or durably written to a retry tier or the
// dead-letter topic), so delivery is at-least-once.
//
// A circuit breaker per subscription stops pulling work from a failing endpoint
// and probes it; after Config.DisableAfter of continuous failure (or a 410) the
// subscription is disabled through a Disabler and an operational event is
// published. Every attempt is logged, in batches, on engagehub.attempts.
//
// Routes serves the per-subscription attempts, dead letters, redrive, replay
// and test-ping endpoints. Package receiver is a verifying receiver for demos.
package delivery
