// Package suggest finds the name a user most likely meant — a config key,
// an event type — by edit distance, for "did you mean" in error messages.
package suggest
