package console

import (
	"context"
	"net/http"
	"net/url"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

type ctxKey int

const (
	sessionKey ctxKey = iota
	linkKey
)

// guard wraps a route's handler with the checks its access asks for.
func (c *Console) guard(rt route) http.Handler {
	h := http.Handler(rt.handler)
	if rt.access == public {
		return secureHeaders(h)
	}
	if rt.portal {
		return secureHeaders(c.requireLink(rt.access, h))
	}
	return secureHeaders(c.requireSession(rt.access, h))
}

// requireSession lets requests with a live console session through (and,
// for forms, their CSRF token); the others are sent to sign-in (pages and
// forms) or get 401 (fragments).
func (c *Console) requireSession(a access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ses, ok := c.sessions.get(cookieValue(r, sessionCookie))
		switch {
		case !ok && a == fragment:
			httpapi.WriteError(w, http.StatusUnauthorized, "unauthorized", "sign in at /console/signin")
		case !ok:
			next := "/console/"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(next), http.StatusSeeOther)
		case a == form && !sameToken(formToken(r), ses.csrf):
			c.renderError(w, r, http.StatusForbidden, "The form's CSRF token is missing or stale: reload the page and try again.")
		default:
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, ses)))
		}
	})
}

// sessionOf is the console session a guarded handler runs in.
func sessionOf(r *http.Request) session {
	ses, _ := r.Context().Value(sessionKey).(session)
	return ses
}

// secureHeaders forbids framing, sniffing, referrers (portal links are in
// URLs) and every script or style not served by the console itself.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
