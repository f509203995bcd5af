package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// csrfField is the hidden form field every form carries.
const csrfField = "csrf"

// sameToken compares two tokens in constant time; empty never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// mac is HMAC-SHA256 of parts joined by "|" under key, URL-safe base64.
func mac(key []byte, parts ...string) string {
	h := hmac.New(sha256.New, key)
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{'|'})
		}
		h.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// formToken is the CSRF token a form posted with r carries (the body is
// parsed; multipart is not accepted).
func formToken(r *http.Request) string {
	return r.PostFormValue(csrfField)
}
