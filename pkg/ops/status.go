package ops

import (
	"errors"
	"net/http"
)

// Status is how an error of this package answers over HTTP — the API and
// the console alike: its status, a stable code and the message. ok is
// false for an error of no type here (the caller decides; both answer it
// as unavailable, the layer below being Kafka).
func Status(err error) (status int, code, message string, ok bool) {
	var (
		nf  *NotFound
		bad *Malformed
		inv *Invalid
		cf  *Conflict
		big *TooLarge
		un  *Unavailable
	)
	switch {
	case errors.As(err, &nf):
		return http.StatusNotFound, "not_found", nf.Error(), true
	case errors.As(err, &bad):
		return http.StatusBadRequest, or(bad.Code, "malformed_request"), bad.Error(), true
	case errors.As(err, &inv):
		return http.StatusUnprocessableEntity, or(inv.Code, "invalid_request"), inv.Error(), true
	case errors.As(err, &cf):
		return http.StatusConflict, cf.Code, cf.Message, true
	case errors.As(err, &big):
		return http.StatusRequestEntityTooLarge, big.Code, big.Message, true
	case errors.As(err, &un):
		return http.StatusServiceUnavailable, un.Code, un.Message, true
	}
	return 0, "", "", false
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
