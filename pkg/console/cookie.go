package console

import (
	"net/http"
	"time"
)

// Cookie names: the console session, the sign-in form's nonce and the
// portal link.
const (
	sessionCookie = "eh_session"
	signinCookie  = "eh_signin"
	portalCookie  = "eh_portal"
)

// setCookie sets an HttpOnly, SameSite=Strict cookie under path, Secure
// when the request came over TLS (or a proxy said so), for maxAge (zero:
// a browser-session cookie). The server checks expiry itself; the cookie's
// age only tidies the browser.
func setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: isTLS(r), MaxAge: int(maxAge.Seconds())})
}

// clearCookie removes a cookie set by setCookie.
func clearCookie(w http.ResponseWriter, r *http.Request, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: isTLS(r)})
}

func cookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func isTLS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}
