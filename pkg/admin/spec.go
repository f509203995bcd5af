package admin

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// opSpec documents one operation as the server answers it: the success
// status and schemas, the error statuses it can answer (each with the
// Error body), its query parameters.
type opSpec struct {
	status  int      // success status
	also    []int    // further success statuses with the same response
	req     string   // request schema; "" for none
	reqOpt  bool     // the body may be empty
	resp    string   // response schema; "" for no body
	media   string   // response media type when not JSON
	errs    []int    // error statuses
	query   []string // query parameters, keys of queryParams
	header  []string // header parameters, keys of headerParams
	reqType []string // request media types; default application/json
}

// Error statuses operations share.
var (
	readErrs  = []int{401, 404}
	writeErrs = []int{400, 401, 404, 413, 415, 422, 503}
	kafkaErrs = []int{400, 401, 404, 422, 503}
)

// specs documents every API operation by route key. The live test
// (TestOpenAPIIsWhatTheServerAnswers) checks each against the server.
var specs = map[string]opSpec{
	"GET /v1/subscriptions":                     {status: 200, resp: "SubscriptionList", errs: []int{401}},
	"POST /v1/subscriptions":                    {status: 201, req: "Subscription", resp: "SubscriptionWithSecret", errs: []int{400, 401, 409, 413, 415, 422, 503}},
	"GET /v1/subscriptions/{id}":                {status: 200, resp: "Subscription", errs: readErrs},
	"PUT /v1/subscriptions/{id}":                {status: 200, req: "Subscription", resp: "SubscriptionWithSecret", errs: writeErrs},
	"PATCH /v1/subscriptions/{id}":              {status: 200, req: "SubscriptionPatch", resp: "SubscriptionWithSecret", errs: writeErrs, reqType: []string{"application/merge-patch+json", "application/json"}},
	"DELETE /v1/subscriptions/{id}":             {status: 204, errs: []int{401, 404, 503}},
	"POST /v1/subscriptions/{id}/secret/rotate": {status: 200, resp: "SubscriptionWithSecret", errs: []int{401, 404, 503}},
	"GET /v1/subscriptions/{id}/public-key":     {status: 200, resp: "PublicKeys", errs: readErrs},
	"POST /v1/subscriptions/test-filter":        {status: 200, req: "TestFilterRequest", resp: "TestFilterResult", errs: []int{400, 401, 413, 415, 422}},
	"POST /v1/subscriptions/test-transform":     {status: 200, req: "TestTransformRequest", resp: "TestTransformResult", errs: []int{400, 401, 413, 415, 422}},
	"GET /v1/subscriptions/{id}/attempts": {status: 200, resp: "AttemptPage", errs: kafkaErrs,
		query: []string{"limit", "outcome", "eventType", "contactId", "eventId", "since", "until", "cursor"}},
	"GET /v1/subscriptions/{id}/dead-letters":             {status: 200, resp: "DeadLetterPage", errs: kafkaErrs, query: []string{"limit"}},
	"POST /v1/subscriptions/{id}/dead-letters/redrive":    {status: 202, req: "RedriveRequest", reqOpt: true, resp: "RedriveResult", errs: kafkaErrs},
	"POST /v1/subscriptions/{id}/replay":                  {status: 202, req: "ReplayRequest", resp: "ReplayJob", errs: kafkaErrs},
	"GET /v1/subscriptions/{id}/replays/{job}":            {status: 200, resp: "ReplayJob", errs: readErrs},
	"POST /v1/subscriptions/{id}/test":                    {status: 200, resp: "TestResult", errs: []int{401, 404, 422, 503}},
	"POST /v1/subscriptions/{id}/portal-links":            {status: 201, req: "PortalLinkRequest", reqOpt: true, resp: "PortalLinkCreated", errs: []int{400, 401, 404, 503}},
	"GET /v1/subscriptions/{id}/portal-links":             {status: 200, resp: "PortalLinkList", errs: readErrs},
	"DELETE /v1/subscriptions/{id}/portal-links/{linkId}": {status: 204, errs: []int{401, 404, 503}},
	"GET /v1/trace":              {status: 200, resp: "Trace", errs: []int{400, 401, 422, 503}, query: []string{"eventId", "contactId", "limit"}},
	"GET /v1/event-types":        {status: 200, resp: "EventTypeList"},
	"GET /v1/event-types/{type}": {status: 200, resp: "EventType", errs: []int{404}},
	"POST /v1/events":            {status: 202, req: "Events", resp: "Published", errs: []int{400, 401, 413, 415, 422, 503}, header: []string{"Idempotency-Key"}},
	"POST /ingest/engage":        {status: 200, also: []int{202}, req: "Envelope", resp: "Published", errs: []int{400, 401, 413, 415, 422, 503}},
	"GET /healthz":               {status: 200, resp: "Health"},
	"GET /readyz":                {status: 200, also: []int{503}, resp: "Health"},
	"GET /metrics":               {status: 200, media: "text/plain"},
	"GET /openapi.json":          {status: 200, resp: "OpenAPIDocument"},
	"GET /debug/pprof/":          {status: 200, media: "text/html", errs: []int{401}},
	"GET /debug/pprof/profile":   {status: 200, media: "application/octet-stream", errs: []int{401}},
}

// queryParams are the query parameters operations take.
var queryParams = map[string]map[string]any{
	"limit": {"description": "page size, 1..1000; default 100", "schema": map[string]any{"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
	"outcome": {"description": "delivered, retry, dead_letter, or failed (every attempt that did not deliver)",
		"schema": map[string]any{"enum": []string{"delivered", "retry", "dead_letter", "failed"}}},
	"eventType": {"description": "only attempts of this event type", "schema": map[string]any{"type": "string"}},
	"contactId": {"description": "only events of this contact", "schema": map[string]any{"type": "string"}},
	"eventId":   {"description": "only this event", "schema": map[string]any{"type": "string"}},
	"since":     {"description": "attempts at or after this time (RFC 3339)", "schema": map[string]any{"type": "string", "format": "date-time"}},
	"until":     {"description": "attempts before this time (RFC 3339)", "schema": map[string]any{"type": "string", "format": "date-time"}},
	"cursor":    {"description": "the next of the previous page: continue with older attempts", "schema": map[string]any{"type": "string"}},
}

// headerParams are the request headers operations read.
var headerParams = map[string]map[string]any{
	"Idempotency-Key": {"description": "the same key with the same body within 12 h answers the first response again (header " +
		"Idempotent-Replayed: true) and writes nothing; with another body 422. 1–255 printable ASCII characters.",
		"schema": map[string]any{"type": "string", "minLength": 1, "maxLength": 255}},
}

// specFor returns the route's spec; ok false for a route the table does
// not describe (a mount such as the registry: a generic operation).
func specFor(rt httpapi.Route, method string) (opSpec, bool) {
	s, ok := specs[method+" "+rt.Path]
	return s, ok
}

func responsesFor(rt httpapi.Route, method string) map[string]any {
	op, ok := specFor(rt, method)
	if !ok {
		return map[string]any{"200": map[string]any{"description": "OK"}, "default": map[string]any{"description": "error"}}
	}
	out := map[string]any{}
	for _, st := range append([]int{op.status}, op.also...) {
		out[strconv.Itoa(st)] = successResponse(op, st)
	}
	for _, st := range op.errs {
		out[strconv.Itoa(st)] = map[string]any{"description": http.StatusText(st), "content": jsonContent(ref("Error"))}
	}
	return out
}

func successResponse(op opSpec, status int) map[string]any {
	r := map[string]any{"description": http.StatusText(status)}
	switch {
	case op.media != "":
		r["content"] = map[string]any{op.media: map[string]any{"schema": map[string]any{"type": "string"}}}
	case op.resp != "":
		r["content"] = jsonContent(ref(op.resp))
	}
	return r
}

func requestBodyFor(rt httpapi.Route, method string) map[string]any {
	op, ok := specFor(rt, method)
	if !ok || op.req == "" {
		return nil
	}
	types := op.reqType
	if len(types) == 0 {
		types = []string{"application/json"}
	}
	content := map[string]any{}
	for _, t := range types {
		content[t] = map[string]any{"schema": ref(op.req)}
	}
	return map[string]any{"required": !op.reqOpt, "content": content}
}

// queryFor returns the route's query parameters, sorted by name, then its
// header parameters.
func queryFor(rt httpapi.Route, method string) []any {
	op, _ := specFor(rt, method)
	names := append([]string(nil), op.query...)
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		p := map[string]any{"name": n, "in": "query", "required": false}
		for k, v := range queryParams[n] {
			p[k] = v
		}
		out = append(out, p)
	}
	for _, n := range op.header {
		p := map[string]any{"name": n, "in": "header", "required": false}
		for k, v := range headerParams[n] {
			p[k] = v
		}
		out = append(out, p)
	}
	return out
}
