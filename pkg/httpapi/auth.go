package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// Auth checks bearer tokens. Tokens are compared as SHA-256 digests in
// constant time, so neither their content nor their length leaks.
type Auth struct {
	digests [][32]byte
}

// NewAuth accepts the given tokens.
func NewAuth(tokens []string) *Auth {
	a := &Auth{}
	for _, t := range tokens {
		if t != "" {
			a.digests = append(a.digests, sha256.Sum256([]byte(t)))
		}
	}
	return a
}

// Allowed reports whether r carries a known token, as `Authorization: Bearer
// <token>` or as the password of Basic auth (what Confluent clients send).
func (a *Auth) Allowed(r *http.Request) bool {
	token := ""
	if _, pass, ok := r.BasicAuth(); ok {
		token = pass
	} else if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		token = strings.TrimSpace(h[7:])
	}
	return a.Valid(token)
}

// Valid reports whether token is a known token (the console's sign-in
// form checks the one typed in).
func (a *Auth) Valid(token string) bool {
	if token == "" {
		return false
	}
	d := sha256.Sum256([]byte(token))
	ok := 0
	for _, known := range a.digests {
		ok |= subtle.ConstantTimeCompare(d[:], known[:])
	}
	return ok == 1
}

// Require wraps h so that requests without a known token get 401.
func (a *Auth) Require(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.Allowed(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="engagehub"`)
			WriteError(w, http.StatusUnauthorized, "unauthorized", "missing or unknown bearer token (Authorization: Bearer <token>)")
			return
		}
		h.ServeHTTP(w, r)
	})
}
