package admin

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Subscriptions serves /v1/subscriptions over a subscription.Store.
type Subscriptions struct {
	store *subscription.Store
	log   *zap.Logger
}

// NewSubscriptions returns the subscription handlers.
func NewSubscriptions(store *subscription.Store, log *zap.Logger) *Subscriptions {
	if log == nil {
		log = zap.NewNop()
	}
	return &Subscriptions{store: store, log: log}
}

// WithSecret is a subscription as returned by create and rotate (and by
// replace or patch when they mint a secret): the signing secret is shown
// this once and never again.
type WithSecret struct {
	subscription.Subscription
	Secret string `json:"secret,omitempty"`
	// PublicKey is the current Ed25519 public key ("whpk_…") of a
	// subscription signing with "ed25519"; it is no secret (also at
	// GET /v1/subscriptions/{id}/public-key).
	PublicKey string `json:"publicKey,omitempty"`
}

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
		route(http.MethodGet, "/v1/subscriptions/{id}/public-key", "the Ed25519 public keys receivers verify v1a signatures with (signature: ed25519)", s.publicKey),
	}
}

func (s *Subscriptions) list(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, List{Subscriptions: s.store.List()})
}

func (s *Subscriptions) get(w http.ResponseWriter, r *http.Request) {
	sub, err := s.store.Get(r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, sub)
}

func (s *Subscriptions) create(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.decode(w, r)
	if !ok {
		return
	}
	s.respond(w, http.StatusCreated)(s.store.Create(r.Context(), sub))
}

func (s *Subscriptions) replace(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.decode(w, r)
	if !ok {
		return
	}
	s.respond(w, http.StatusOK)(s.store.Replace(r.Context(), r.PathValue("id"), sub))
}

func (s *Subscriptions) patch(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.respond(w, http.StatusOK)(s.store.Patch(r.Context(), r.PathValue("id"), body))
}

func (s *Subscriptions) rotate(w http.ResponseWriter, r *http.Request) {
	s.respond(w, http.StatusOK)(s.store.RotateSecret(r.Context(), r.PathValue("id")))
}

// PublicKeys is the body of GET /v1/subscriptions/{id}/public-key.
type PublicKeys struct {
	// PublicKey is the current key.
	PublicKey string `json:"publicKey"`
	// Keys are every key signing now, newest first: during a rotation's
	// grace period the previous one too, with its expiry.
	Keys []subscription.PublicKey `json:"keys"`
}

func (s *Subscriptions) publicKey(w http.ResponseWriter, r *http.Request) {
	sub, err := s.store.Get(r.PathValue("id"))
	if err != nil {
		s.fail(w, err)
		return
	}
	if sub.CurrentPublicKey() == "" {
		httpapi.WriteError(w, http.StatusNotFound, "no_public_key", `signature: subscription `+sub.ID+` signs with "`+sub.Signature+`", not "ed25519"; it has no public key`)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, PublicKeys{PublicKey: sub.CurrentPublicKey(), Keys: sub.PublicKeys(time.Now())})
}

func (s *Subscriptions) delete(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, err)
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
	sub, err := subscription.Decode(body)
	if err != nil {
		s.fail(w, err)
		return subscription.Subscription{}, false
	}
	return sub, true
}

// respond returns a func writing a store result with status.
func (s *Subscriptions) respond(w http.ResponseWriter, status int) func(subscription.Subscription, string, error) {
	return func(sub subscription.Subscription, secret string, err error) {
		if err != nil {
			s.fail(w, err)
			return
		}
		httpapi.WriteJSON(w, status, WithSecret{Subscription: sub, Secret: secret, PublicKey: sub.CurrentPublicKey()})
	}
}

// fail maps a store error to a status; anything unexpected is a 503 (the
// store is Kafka: its failures are transient), logged without the body.
func (s *Subscriptions) fail(w http.ResponseWriter, err error) {
	var verr *subscription.ValidationError
	switch {
	case errors.As(err, &verr):
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "invalid_subscription", verr.Error())
	case errors.Is(err, subscription.ErrMalformed):
		httpapi.WriteError(w, http.StatusBadRequest, "malformed_json", err.Error())
	case errors.Is(err, subscription.ErrNotFound):
		httpapi.WriteError(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, subscription.ErrExists):
		httpapi.WriteError(w, http.StatusConflict, "subscription_exists", err.Error())
	case errors.Is(err, context.Canceled):
		httpapi.WriteError(w, http.StatusServiceUnavailable, "canceled", "request canceled")
	default:
		s.log.Error("subscription store failed", zap.Error(err))
		w.Header().Set("Retry-After", "5") // the store is Kafka; it waits out an outage by itself
		httpapi.WriteError(w, http.StatusServiceUnavailable, "store_unavailable", "the subscription store is unavailable; retry")
	}
}
