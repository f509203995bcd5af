package admin

import (
	"net/http"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Subscriptions serves /v1/subscriptions: thin handlers over the ops
// service (decode the request, call, answer or map the error).
type Subscriptions struct {
	svc *ops.Service
	log *zap.Logger
}

// NewSubscriptions returns the subscription handlers.
func NewSubscriptions(svc *ops.Service, log *zap.Logger) *Subscriptions {
	if log == nil {
		log = zap.NewNop()
	}
	return &Subscriptions{svc: svc, log: log}
}

// WithSecret is a subscription with its signing secret, shown once.
type WithSecret = ops.WithSecret

// List is the body of GET /v1/subscriptions.
type List struct {
	Subscriptions []subscription.Subscription `json:"subscriptions"`
}

const tag = "subscriptions"

// Routes returns the subscription routes, all authenticated.
func (s *Subscriptions) Routes() []httpapi.Route {
	route := func(method, path, summary string, h http.HandlerFunc) httpapi.Route {
		return httpapi.Route{Method: method, Path: path, Summary: summary, Tag: tag, Authenticated: true, Handler: h}
	}
	return []httpapi.Route{
		route(http.MethodGet, "/v1/subscriptions", "list subscriptions", s.list),
		route(http.MethodPost, "/v1/subscriptions", "create a subscription; the response shows its signing secret once", s.create),
		route(http.MethodGet, "/v1/subscriptions/{id}", "get a subscription", s.get),
		route(http.MethodPut, "/v1/subscriptions/{id}", "replace a subscription", s.replace),
		route(http.MethodPatch, "/v1/subscriptions/{id}", "update a subscription with a JSON merge patch", s.patch),
		route(http.MethodDelete, "/v1/subscriptions/{id}", "delete a subscription; its delivery topic is deleted after a grace period", s.delete),
		route(http.MethodPost, "/v1/subscriptions/{id}/secret/rotate", "rotate the signing secret; the old one keeps signing for a grace period", s.rotate),
	}
}

func (s *Subscriptions) list(w http.ResponseWriter, r *http.Request) {
	subs, err := s.svc.Subscriptions(r.Context())
	s.answer(w, http.StatusOK, List{Subscriptions: subs}, err)
}

func (s *Subscriptions) get(w http.ResponseWriter, r *http.Request) {
	sub, err := s.svc.Subscription(r.Context(), r.PathValue("id"))
	s.answer(w, http.StatusOK, sub, err)
}

func (s *Subscriptions) create(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.decode(w, r)
	if !ok {
		return
	}
	out, err := s.svc.CreateSubscription(r.Context(), sub)
	s.answer(w, http.StatusCreated, out, err)
}

func (s *Subscriptions) replace(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.decode(w, r)
	if !ok {
		return
	}
	out, err := s.svc.UpdateSubscription(r.Context(), r.PathValue("id"), sub)
	s.answer(w, http.StatusOK, out, err)
}

func (s *Subscriptions) patch(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	out, err := s.svc.PatchSubscription(r.Context(), r.PathValue("id"), body)
	s.answer(w, http.StatusOK, out, err)
}

func (s *Subscriptions) rotate(w http.ResponseWriter, r *http.Request) {
	out, err := s.svc.RotateSecret(r.Context(), r.PathValue("id"))
	s.answer(w, http.StatusOK, out, err)
}

func (s *Subscriptions) delete(w http.ResponseWriter, r *http.Request) {
	if err := s.svc.DeleteSubscription(r.Context(), r.PathValue("id")); err != nil {
		writeError(w, s.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// decode reads and decodes a subscription body, answering errors itself.
func (s *Subscriptions) decode(w http.ResponseWriter, r *http.Request) (subscription.Subscription, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return subscription.Subscription{}, false
	}
	sub, err := ops.DecodeSubscription(body)
	if err != nil {
		writeError(w, s.log, err)
		return subscription.Subscription{}, false
	}
	return sub, true
}

// answer writes v with status, or err.
func (s *Subscriptions) answer(w http.ResponseWriter, status int, v any, err error) {
	answer(w, s.log, status, v, err)
}

func answer(w http.ResponseWriter, log *zap.Logger, status int, v any, err error) {
	if err != nil {
		writeError(w, log, err)
		return
	}
	httpapi.WriteJSON(w, status, v)
}
