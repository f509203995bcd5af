// Package ops is engagehub's operator service layer: every operation an
// operator (or a subscriber, through the portal) can ask for, as plain Go
// methods taking a context and typed arguments and returning typed results
// and typed errors. The admin HTTP API (package admin), the console and the
// CLI (through the admin API) are clients of it; no operation lives only in
// a handler or a page.
//
// It sits between the edges and the domain: subscriptions are read and
// written through subscription.Store; attempts are answered by an
// AttemptSource (the attempt index, package ops/attemptindex); dead
// letters, redrive, replay and test pings by package delivery's Admin;
// publishing by ingest's API path, so an event sent from the console is
// validated, encoded and acknowledged exactly as POST /v1/events does it.
//
// Errors are values of this package's types, so that each edge maps them
// once: *NotFound (HTTP 404), *Malformed (400), *Invalid (422, naming the
// field), *Conflict (409), *TooLarge (413) and *Unavailable (503, Kafka or
// the store away; retry after RetryAfter). Anything else is a bug.
//
// Long operations run as jobs: Replay returns a ReplayJob at once and copies
// in the background; ReplayStatus reports done/total until finished. The
// Service owns those goroutines: Close cancels and waits for them.
package ops
