package registry

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// ContentType is the media type of Schema Registry requests and answers.
const ContentType = "application/vnd.schemaregistry.v1+json"

// maxBody bounds request bodies; Avro schemas are far smaller.
const maxBody = 4 << 20

// writeJSON answers 200 with v.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", ContentType)
	_ = json.NewEncoder(w).Encode(v) // the client went away: nothing to do
}

// writeRaw answers 200 with a stored schema string as the body.
func writeRaw(w http.ResponseWriter, schema string) {
	w.Header().Set("Content-Type", ContentType)
	_, _ = io.WriteString(w, schema)
}

// writeError answers with Confluent's error body; errors that are not
// *Error become 500/50001.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = ErrBackendStore
	}
	if e.Status >= http.StatusInternalServerError {
		h.logError(r, err)
	}
	w.Header().Set("Content-Type", ContentType)
	if e.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(e)
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	body := http.MaxBytesReader(nil, r.Body, maxBody)
	if err := json.NewDecoder(body).Decode(v); err != nil {
		return newError(http.StatusBadRequest, codeBadRequest, "invalid request body: %v", err)
	}
	return nil
}

// errNotFound is the answer to a path the registry does not serve.
func errNotFound(r *http.Request) *Error {
	return newError(http.StatusNotFound, codeNotFound, "HTTP 404 Not Found: %s %s", r.Method, r.URL.Path)
}

// errUnsupported is a well-formed request the built-in registry refuses.
func errUnsupported(format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, CodeInvalidSchema, format, args...)
}
