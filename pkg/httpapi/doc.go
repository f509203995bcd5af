// Package httpapi is engagehub's one HTTP listener: the route table every
// role adds its endpoints to, bearer-token authentication, JSON errors of
// the form {"error": {"code", "message"}}, health and readiness, and the
// server's lifecycle. Ingest, admin and the built-in schema registry mount
// their handlers here; cmd/engagehub owns the Server.
package httpapi
