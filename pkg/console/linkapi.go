package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// linkRoutes are the admin API's portal-link endpoints (bearer token).
func (c *Console) linkRoutes() []httpapi.Route {
	if c.deps.Links == nil {
		return nil
	}
	r := func(method, path, summary string, h http.HandlerFunc) httpapi.Route {
		return httpapi.Route{Method: method, Path: path, Summary: summary, Tag: "portal", Authenticated: true, Handler: h}
	}
	return []httpapi.Route{
		r(http.MethodPost, "/v1/subscriptions/{id}/portal-links", "Create an expiring portal link to one subscription ({\"ttl\": \"24h\"} optional); answers 201 {id, url, expiresAt}", c.createLink),
		r(http.MethodGet, "/v1/subscriptions/{id}/portal-links", "The subscription's portal links (never their tokens)", c.listLinks),
		r(http.MethodDelete, "/v1/subscriptions/{id}/portal-links/{linkId}", "Revoke a portal link at once, on every replica; answers 204", c.revokeLink),
	}
}

// linkCreated is the answer to POST …/portal-links.
type linkCreated struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (c *Console) createLink(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !c.subscriptionExists(w, r, id) {
		return
	}
	var body struct {
		TTL string `json:"ttl"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_body", "body: must be JSON like {\"ttl\": \"24h\"}")
		return
	}
	ttl, ok := c.linkTTL(body.TTL)
	if !ok {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_ttl", "ttl: must be a duration like \"24h\", at most "+c.cfg.PortalLinkMaxTTL.String())
		return
	}
	ln, token, err := c.deps.Links.Create(r.Context(), id, ttl)
	if err != nil {
		c.deps.Log.Warn("create portal link", zap.String("subscription", id), zap.Error(err))
		httpapi.WriteError(w, http.StatusServiceUnavailable, "kafka_unavailable", "recording the link in Kafka failed; retry")
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, linkCreated{ID: ln.ID, URL: c.baseURL(r) + "/portal/open/" + token, ExpiresAt: ln.ExpiresAt})
}

func (c *Console) listLinks(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !c.subscriptionExists(w, r, id) {
		return
	}
	links := c.deps.Links.List(id)
	if links == nil {
		links = []Link{}
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"portalLinks": links})
}

func (c *Console) revokeLink(w http.ResponseWriter, r *http.Request) {
	err := c.deps.Links.Revoke(r.Context(), r.PathValue("id"), r.PathValue("linkId"))
	switch {
	case errors.Is(err, ErrLinkNotFound):
		httpapi.WriteError(w, http.StatusNotFound, "not_found", "linkId: no portal link "+r.PathValue("linkId")+" of subscription "+r.PathValue("id"))
	case err != nil:
		c.deps.Log.Warn("revoke portal link", zap.String("subscription", r.PathValue("id")), zap.Error(err))
		httpapi.WriteError(w, http.StatusServiceUnavailable, "kafka_unavailable", "recording the revocation in Kafka failed; retry")
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// baseURL is console.public_url, or the request's own scheme and host.
func (c *Console) baseURL(r *http.Request) string {
	if c.cfg.PublicURL != "" {
		return strings.TrimSuffix(c.cfg.PublicURL, "/")
	}
	scheme := "http"
	if isTLS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// subscriptionExists answers 404 (or the store's error) unless id exists.
func (c *Console) subscriptionExists(w http.ResponseWriter, r *http.Request, id string) bool {
	_, err := c.deps.Ops.Subscription(r.Context(), id)
	if err == nil {
		return true
	}
	status, msg := statusOf(err)
	code := "unavailable"
	if status == http.StatusNotFound {
		code = "not_found"
	}
	httpapi.WriteError(w, status, code, msg)
	return false
}
