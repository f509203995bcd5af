package console

import (
	"net/http"
	"strings"
)

type signinView struct {
	Next  string
	Error string
}

// signinPage shows the token form; its CSRF token is bound to a nonce
// cookie (double submit), so a forged cross-site sign-in is refused too.
func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	c.showSignin(w, r, http.StatusOK, "")
}

func (c *Console) showSignin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	nonce := randomToken()
	setCookie(w, r, signinCookie, nonce, "/console/", 0)
	c.render(w, r, status, "signin", view{Title: "Sign in", CSRF: mac(c.key, "signin", nonce),
		Data: signinView{Next: safeNext(r.FormValue("next")), Error: problem}})
}

// signin checks the form's token and the admin token, then starts a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	nonce := cookieValue(r, signinCookie)
	if nonce == "" || !sameToken(formToken(r), mac(c.key, "signin", nonce)) {
		c.showSignin(w, r, http.StatusForbidden, "The sign-in form expired: try again.")
		return
	}
	if !c.signins.allowed() {
		c.showSignin(w, r, http.StatusTooManyRequests, "Too many refused sign-ins: try again in a minute.")
		return
	}
	if !c.deps.Tokens.Valid(strings.TrimSpace(r.PostFormValue("token"))) {
		c.signins.fail()
		c.deps.Log.Info("console sign-in refused")
		c.showSignin(w, r, http.StatusUnauthorized, "That is not an admin token.")
		return
	}
	ses := c.sessions.create()
	clearCookie(w, r, signinCookie, "/console/")
	setCookie(w, r, sessionCookie, ses.id, "/console/", c.cfg.SessionTTL)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// signout ends the session.
func (c *Console) signout(w http.ResponseWriter, r *http.Request) {
	c.sessions.end(sessionOf(r).id)
	clearCookie(w, r, sessionCookie, "/console/")
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/"
	}
	return next
}
