package console

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// requireLink lets requests through whose portal cookie holds a live link
// (and, for forms, its CSRF token); a route's {id} must be the link's own
// subscription, any other is refused with 403.
func (c *Console) requireLink(a access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ln, err := c.link(r)
		switch {
		case err != nil:
			c.renderError(w, r, http.StatusUnauthorized, "This portal link is missing, expired or revoked: ask the team that sent it for a new one.")
		case r.PathValue("id") != "" && r.PathValue("id") != ln.Subscription:
			c.renderError(w, r, http.StatusForbidden, "This portal link opens subscription "+ln.Subscription+" only.")
		case a == form && !sameToken(formToken(r), c.deps.Links.csrf(ln)):
			c.renderError(w, r, http.StatusForbidden, "The form's CSRF token is missing or stale: reload the page and try again.")
		default:
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), linkKey, ln)))
		}
	})
}

func (c *Console) link(r *http.Request) (Link, error) {
	if c.deps.Links == nil {
		return Link{}, ErrLinkInvalid
	}
	return c.deps.Links.Verify(cookieValue(r, portalCookie))
}

// linkOf is the portal link a guarded handler runs under.
func linkOf(r *http.Request) Link {
	ln, _ := r.Context().Value(linkKey).(Link)
	return ln
}

// openPortal exchanges a link's token for the portal cookie. The page it
// shows moves on to the portal itself: a same-site step, so the
// SameSite=Strict cookie is sent even when the link was opened from a mail
// or a chat on another site.
func (c *Console) openPortal(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ln, err := c.link(withCookie(r, token))
	if err != nil {
		c.renderError(w, r, http.StatusUnauthorized, "This portal link is unknown, expired or revoked: ask the team that sent it for a new one.")
		return
	}
	setCookie(w, r, portalCookie, token, "/portal/", ln.ExpiresAt.Sub(c.deps.Now()))
	c.render(w, r, http.StatusOK, "portal-open", view{Title: "Opening the portal", Portal: ln.Subscription,
		Data: "/portal/s/" + ln.Subscription + "/"})
}

// withCookie is r as if it carried the portal cookie token.
func withCookie(r *http.Request, token string) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Header.Del("Cookie")
	r2.AddCookie(&http.Cookie{Name: portalCookie, Value: token})
	return r2
}

// portalSignout forgets the portal cookie in this browser (the link itself
// stays valid until it expires or is revoked).
func (c *Console) portalSignout(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, r, portalCookie, "/portal/")
	c.render(w, r, http.StatusOK, "error", view{Title: "Signed out", Flash: "This browser no longer holds the portal link."})
}

// portalView is the view of a portal page of ln.
func (c *Console) portalView(r *http.Request, title string) view {
	ln := linkOf(r)
	return view{Title: title, Nav: "portal", Portal: ln.Subscription, CSRF: c.deps.Links.csrf(ln)}
}

// linkTTL reads a requested lifetime ("" the default), bounded by the max.
func (c *Console) linkTTL(s string) (time.Duration, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return c.cfg.PortalLinkTTL, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d > 0 && d <= c.cfg.PortalLinkMaxTTL
}
