package admin

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// MaxBodyBytes caps a request body (1 MiB).
const MaxBodyBytes = 1 << 20

// readBody returns the JSON body of r, or writes the error response and
// returns false: 415 for a content type that is not JSON, 413 for a body
// over MaxBodyBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if !isJSON(r.Header.Get("Content-Type")) {
		httpapi.WriteError(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type must be application/json (or application/merge-patch+json for PATCH)")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		httpapi.WriteError(w, http.StatusRequestEntityTooLarge, "body_too_large", "request body exceeds 1 MiB")
		return nil, false
	case err != nil:
		httpapi.WriteError(w, http.StatusBadRequest, "bad_request", "cannot read request body")
		return nil, false
	}
	return body, true
}

// isJSON accepts application/json and any +json media type.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}
