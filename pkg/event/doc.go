// Package event defines what flows through engagehub: the catalog of Voyado
// Engage event types, the tolerant parser for Engage's webhook envelope, and
// Event, the typed value that ingest encodes to Avro and fanout delivers.
//
// It sits at the centre of the pipeline and performs no I/O: ingest calls
// Parse and Validate on a request body, builds an Event with New, and hands it
// to package schema for encoding; subscriptions use Match to select types.
//
// Engage's envelope is {id | eventId, eventType, tenant, isEncrypted, payload}.
// Parsing accepts either id name, camelCase or PascalCase keys, numbers sent
// as strings, and keeps the original bytes in Raw so that nothing Engage
// sends — including fields this package does not know — is ever lost.
package event
