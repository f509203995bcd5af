package registry

import (
	"encoding/json"
	"net/http"
	"strings"
)

// schemaRequest is the body of register, lookup and compatibility requests.
type schemaRequest struct {
	Schema     string            `json:"schema"`
	SchemaType string            `json:"schemaType,omitempty"`
	References []json.RawMessage `json:"references,omitempty"`
}

// decodeSchemaRequest reads and checks a schemaRequest: Avro only, no
// references.
func decodeSchemaRequest(r *http.Request) (schemaRequest, error) {
	var req schemaRequest
	if err := decodeBody(r, &req); err != nil {
		return req, err
	}
	if t := strings.ToUpper(req.SchemaType); t != "" && t != "AVRO" {
		return req, errUnsupported("Invalid schema type %s: the built-in registry serves AVRO only", req.SchemaType)
	}
	if len(req.References) > 0 {
		return req, errUnsupported("Invalid schema: schema references are not supported by the built-in registry")
	}
	if req.Schema == "" {
		return req, errInvalidSchema("Invalid schema: empty schema")
	}
	return req, nil
}

// register serves POST /subjects/{s}/versions: {"id": n}.
func (h *handler) register(w http.ResponseWriter, r *http.Request) {
	req, err := decodeSchemaRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.reg.Register(r.Context(), r.PathValue("subject"), req.Schema)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]int{"id": v.ID})
}

// deleteSubject serves DELETE /subjects/{s}: a soft delete answering the
// deleted versions. permanent=true is refused.
func (h *handler) deleteSubject(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("permanent") == "true" {
		h.writeError(w, r, newError(http.StatusUnprocessableEntity, codeUnprocessable,
			"permanent delete is not supported by the built-in registry"))
		return
	}
	versions, err := h.reg.DeleteSubject(r.Context(), r.PathValue("subject"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, versions)
}
