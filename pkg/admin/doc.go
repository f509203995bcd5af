// Package admin is engagehub's management HTTP API: the subscription
// endpoints (list, create, read, replace, patch, delete, rotate the
// signing secret; test-filter and test-transform try a filter or a
// transformation on an event before it is saved), the delivery endpoints
// (attempts, dead letters, redrive, replay jobs, test event, trace), the
// event-type catalog, and /openapi.json, generated at request time from
// the router's route table so that it always lists what the running
// process serves, each operation with its statuses, schemas and query
// parameters (spec.go, schemas.go, schemas_ops.go). Client is the small Go
// client the operator CLI uses.
//
// It sits at the edge, over the operator service layer (package ops):
// handlers decode and check the request, call the service, and map its
// typed errors to statuses (errors.go: malformed 400, invalid 422 naming
// the field, not found 404, conflict 409, too large 413, unavailable 503
// with Retry-After; a wrong content type 415). Bad input never gets a 500.
package admin
