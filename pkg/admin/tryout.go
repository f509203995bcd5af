package admin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
)

// Tryout serves POST /v1/subscriptions/test-filter and …/test-transform:
// a filter or transformation tried on an event (or a catalog example)
// before it is saved, as fan-out and the sender would run it.
type Tryout struct {
	svc *ops.Service
	log *zap.Logger
}

// NewTryout returns the handlers.
func NewTryout(svc *ops.Service) *Tryout {
	return &Tryout{svc: svc, log: zap.NewNop()}
}

// The try-out bodies and answers.
type (
	FilterRequest    = ops.FilterRequest
	FilterResult     = ops.FilterResult
	TransformRequest = ops.TransformRequest
	TransformResult  = ops.TransformResult
)

// Routes returns the two authenticated routes.
func (t *Tryout) Routes() []httpapi.Route {
	route := func(path, summary string, h http.HandlerFunc) httpapi.Route {
		return httpapi.Route{Method: http.MethodPost, Path: path, Summary: summary, Tag: tag, Authenticated: true, Handler: h}
	}
	return []httpapi.Route{
		route("/v1/subscriptions/test-filter", "evaluate a filter on an event or a catalog example", t.testFilter),
		route("/v1/subscriptions/test-transform", "run a transformation on an event or a catalog example", t.testTransform),
	}
}

func (t *Tryout) testFilter(w http.ResponseWriter, r *http.Request) {
	var req FilterRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	res, err := t.svc.TestFilter(r.Context(), req)
	answer(w, t.log, http.StatusOK, res, err)
}

func (t *Tryout) testTransform(w http.ResponseWriter, r *http.Request) {
	var req TransformRequest
	if !decodeStrict(w, r, &req) {
		return
	}
	res, err := t.svc.TestTransform(r.Context(), req)
	answer(w, t.log, http.StatusOK, res, err)
}

// decodeStrict reads a JSON body into v, rejecting unknown fields (400 for
// malformed JSON, 422 naming an unknown field).
func decodeStrict(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case err == nil:
		return true
	case errors.As(err, &typeErr):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", typeErr.Field+": wrong type")
	case bytes.HasPrefix([]byte(err.Error()), []byte("json: unknown field")):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_request", err.Error()[len("json: "):])
	default:
		httpapi.WriteError(w, http.StatusBadRequest, "malformed_json", err.Error())
	}
	return false
}
