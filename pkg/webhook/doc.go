// Package webhook signs, verifies and safely dials webhooks in the Standard
// Webhooks format (https://www.standardwebhooks.com), which is also Svix's.
//
// It sits at both ends of the pipeline:
//
//	Engage ─(svix-signed POST)─► ingest ─► Kafka ─► fanout ─► sender ─(signed POST)─► receiver
//	                             Verifier                     Signer, SetHeaders, NewHTTPClient
//
// Its users:
//
//   - ingest uses a [Verifier] to check Engage's inbound webhooks: the svix-*
//     or webhook-* headers, a "v1," HMAC-SHA256 over "id.timestamp.body",
//     several secrets for rotation, and a ±5 minute tolerance. Every error
//     Verify returns is one of the Err* sentinels; callers answer with 401.
//   - the sender signs each outbound delivery with a [Signer] (one signature
//     per active secret, so a receiver mid-rotation accepts either), sets the
//     headers with [SetHeaders], and POSTs through [NewHTTPClient], whose
//     dialer refuses loopback, private, link-local, CGNAT, metadata,
//     multicast and unspecified addresses, the rest of the IANA
//     special-purpose registries (code.dny.dev/ssrf's generated tables),
//     and internal IPv4 wrapped in NAT64, 6to4, Teredo or IPv4-compatible
//     IPv6, after DNS resolution (so DNS rebinding cannot reach them)
//     unless a [DialPolicy] allow-lists them.
//     A refusal wraps [ErrAddressNotAllowed] and is not worth retrying.
//   - a subscription may sign with Ed25519 instead (Standard Webhooks
//     "v1a,", keys "whsk_…" and "whpk_…"): [NewSigningKey], [ParseSigningKey],
//     [NewKeySigner] (HMAC and Ed25519 keys together, for a change of scheme
//     mid-rotation) and, at the receiving end, [NewKeyVerifier].
//   - admin uses [NewSecret] to mint a subscription's signing secret, and
//     the subscription store [DialPolicy.Refusal] to reject a literal
//     internal IP in a destination URL when it is written;
//     config uses [ParseSecret] and [ParseNetworks].
//
// The package does no I/O of its own beyond dialing, no logging, and holds
// no global state. A [Secret] never prints its key: fmt, encoding/json, zap
// and slog all see "[redacted]".
package webhook
