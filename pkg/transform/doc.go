// Package transform runs a subscription's transformation: a JavaScript
// function in Svix's shape,
//
//	function handler(webhook) {
//	  webhook.payload = { text: `${webhook.eventType} for ${webhook.payload.payload.contactId}` };
//	  return webhook;
//	}
//
// that the sender calls on every webhook before signing it, so the
// signature covers what the script produced. webhook has
//
//	eventType  string   the event type (changing it has no effect)
//	payload    any      the webhook body parsed from JSON: the event's envelope as Engage sent it
//	url        string   the destination URL; may be changed (the dial policy still applies)
//	method     string   "POST"; may be changed to "PUT"
//	headers    object   the subscription's custom headers, name -> string; may be changed
//	cancel     bool     set it to true to send nothing for this event
//
// and the handler returns it (or another object of the same shape). The
// body sent is JSON.stringify(payload).
//
//	engagehub.deliver.<id> ──► sender ──► Script.Run ──► sign ──► POST
//
// The engine is goja (github.com/dop251/goja), pure Go. The sandbox is
// what goja gives a bare runtime — ECMAScript only: no require, no
// console, no timers, no network, no file system — minus ArrayBuffer,
// SharedArrayBuffer, DataView and the typed arrays. A script is compiled
// once (per subscription version) and run on pooled runtimes: state a
// script leaves in globals may be seen by a later call on the same
// runtime, so a handler should not keep any.
//
// What is enforced, per call (Limits):
//
//   - Time: the call is interrupted once it has run for Limits.CPU
//     (default 10 ms) of wall-clock time, measured from the call's start;
//     on a busy machine a script gets less CPU than that.
//   - Memory: goja has no heap limit. Three things bound what a call can
//     take: the heap the process allocated since the call started is
//     sampled every Limits.CPU/10, and the call is interrupted beyond
//     Limits.Memory (default 64 MiB; the sample is process-wide, so
//     other goroutines' allocations count too — the limit is set well
//     above a normal call's); the built-ins that allocate in proportion to
//     an argument (String.prototype.repeat, padStart, padEnd, the Array
//     constructor, Array.from) refuse results over Limits.MaxString
//     characters or Limits.MaxArray elements with a RangeError; and every
//     Array.prototype method refuses arrays longer than Limits.MaxArray.
//   - Output: the body may be at most Limits.MaxOutput bytes, the URL an
//     absolute http(s) URL, headers valid names and values, none of the
//     ones engagehub sets.
//
// What is not: the interrupt is checked between JavaScript instructions,
// so a single built-in runs to completion — a script that builds a sparse
// array of length 2^32 by assignment (a[4e9] = 1) and passes it to
// JSON.stringify can run long and allocate much in that one call. Scripts
// come from operators holding an admin token, and a limit breach costs
// one event (dead-lettered), not the subscription.
//
// Every failure — a syntax error, a thrown exception, a limit — is an
// error naming the line and column where the script was; the sender
// dead-letters that event with class "transform" and goes on.
package transform
