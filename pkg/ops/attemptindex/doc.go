// Package attemptindex answers attempt queries completely and fast: every
// serving process (the admin role) consumes the attempt-log topic
// (engagehub.attempts, keyed by subscription) from its start and keeps, per
// subscription, a compact entry per attempt — where it lies (partition,
// offset) and the small fields queries filter on (time, outcome, status,
// event type, hashes of the contact and event ids): 32 bytes an attempt.
// A query walks one subscription's entries newest first, picks the page's
// rows, and only then reads those records from Kafka by offset
// (kafka.Client.ReadOffsets, a few fetches a page, since one subscription's
// attempts share a partition), so the response bodies and headers of the
// attempts never sit in memory.
//
// Memory is bounded by Config.MaxEntries (64 MiB at the default 2M
// attempts), shared fairly: each subscription keeps its newest
// MaxEntries/subscriptions attempts, never fewer than MinPerSubscription,
// so one busy subscription cannot push a quiet failing one out (the tail
// of the shared topic could). Kafka's retention on the topic bounds it
// too: an entry whose record expired is skipped when its page is read.
//
// It sits beside the admin API: ops.Service takes it as its AttemptSource.
package attemptindex
