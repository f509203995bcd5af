// Package admin is engagehub's management HTTP API: the subscription
// endpoints (list, create, read, replace, patch, delete, rotate the
// signing secret; test-filter and test-transform try a filter or a
// transformation on an event before it is saved), the event-type catalog,
// and /openapi.json, generated at
// request time from the router's route table so that it always lists what
// the running process serves. Client is the small Go client the operator
// CLI (`engagehub subscriptions ...`) uses.
//
// It sits at the edge: handlers decode and check the request, call the
// subscription.Store, and map its errors to statuses (malformed JSON 400,
// validation 422 naming the field, unknown id 404, duplicate 409, wrong
// content type 415, body over 1 MiB 413). Bad input never gets a 500.
package admin
