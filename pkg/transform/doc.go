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
// What is enforced, per call (Config):
//
//   - Time: the call is interrupted (vm.Interrupt, from a timer) once it
//     has used Config.CPULimit (default 10 ms) of CPU time: the CPU clock
//     of the OS thread the call is locked to on Linux, so a call that
//     waits for a core on a busy machine is not charged for the wait;
//     wall-clock time elsewhere, and after 1 s of wall-clock time
//     whatever the CPU. The top-level code of a script, run once per
//     pooled runtime, has the same limit.
//   - Memory: goja has no heap limit. Three things bound what a call can
//     take. The heap the process allocated since the call's first check
//     (runtime/metrics, sampled every millisecond, or every tenth of the
//     time limit when that is shorter) may not grow by more than
//     Config.MemoryLimitMiB (default 64): the sample is process-wide, so
//     other goroutines' allocations during a long call count too, which
//     is why the default is far above what a call needs (tens of KiB).
//     String.prototype.repeat, padStart and padEnd refuse to build strings
//     over MaxString characters (RangeError); every Array.prototype
//     method, Array.from, Function.prototype.apply, Reflect.apply and
//     Reflect.construct, and JSON.stringify refuse arrays and array-likes
//     longer than MaxArray, because they loop over the length in Go,
//     where an interrupt cannot stop them. And the time limit bounds how
//     long a script can keep allocating.
//   - Output: the body may be at most Config.MaxOutputBytes, the URL an
//     absolute http(s) URL (the sender's dial policy still applies to
//     it), the method POST or PUT, headers valid names and values, none of
//     the ones engagehub sets (webhook-*, svix-*, content-type, ...).
//
// What is not: the interrupt is checked between JavaScript instructions,
// so one built-in call runs to completion — a script that builds a sparse
// array of length 2^32 by assignment (a[4e9] = 1) inside an object and
// passes the object to JSON.stringify can run long and allocate much in
// that one call. Scripts come from operators holding an admin token, and
// a limit breach costs one event (dead-lettered), not the subscription.
// A runtime interrupted mid-script is discarded, never reused.
//
// Every failure — a syntax error, a thrown exception, a limit — is an
// error naming the line and column where the script was; the sender
// dead-letters that event with class "transform" and goes on.
package transform
