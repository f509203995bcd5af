// Package secret is the type of every secret in engagehub's configuration
// (bearer tokens, the secret key, Engage's webhook secrets, the decryption
// key, SASL and registry passwords): a string that never prints. Config
// sections in the domain packages declare their secrets as [String], so
// `engagehub config validate`, a log line or an error message cannot show
// one by accident; the one place that needs the value calls Reveal.
//
// It sits beside the pipeline, not in it: a leaf package imported by the
// config sections (httpapi, kafka, ingest, config), importing nothing of
// engagehub's.
package secret
