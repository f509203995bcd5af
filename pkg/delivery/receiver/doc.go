// Package receiver is a small verifying webhook receiver for demos and tests:
// an http.Handler that checks each request's Standard Webhooks signature with
// webhook.Verifier, records (and optionally prints) what arrives, and answers
// with a scripted status. `engagehub receive --secret ...` serves it; the
// sender's tests script failures with it.
package receiver
