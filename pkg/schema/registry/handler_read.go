package registry

import (
	"net/http"
	"strconv"
)

func (h *handler) root(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, struct{}{})
}

func (h *handler) schemaTypes(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, []string{"AVRO"})
}

// schemaByID serves GET /schemas/ids/{id}: {"schema": "..."}.
func (h *handler) schemaByID(w http.ResponseWriter, r *http.Request) {
	schema, err := h.schemaFromPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]string{"schema": schema})
}

// rawSchemaByID serves GET /schemas/ids/{id}/schema: the schema itself.
func (h *handler) rawSchemaByID(w http.ResponseWriter, r *http.Request) {
	schema, err := h.schemaFromPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeRaw(w, schema)
}

func (h *handler) schemaFromPath(r *http.Request) (string, error) {
	s := r.PathValue("id")
	id, err := strconv.Atoi(s)
	if err != nil {
		return "", errSchemaNotFound("Schema %s not found", s)
	}
	return h.reg.SchemaByID(id)
}

func (h *handler) subjects(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, h.reg.Subjects())
}

func (h *handler) versions(w http.ResponseWriter, r *http.Request) {
	versions, err := h.reg.Versions(r.PathValue("subject"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, versions)
}

// version serves GET /subjects/{s}/versions/{v}.
func (h *handler) version(w http.ResponseWriter, r *http.Request) {
	v, err := h.versionFromPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, v)
}

// rawVersion serves GET /subjects/{s}/versions/{v}/schema.
func (h *handler) rawVersion(w http.ResponseWriter, r *http.Request) {
	v, err := h.versionFromPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeRaw(w, v.Schema)
}

func (h *handler) versionFromPath(r *http.Request) (SubjectVersion, error) {
	version, err := pathVersion(r)
	if err != nil {
		return SubjectVersion{}, err
	}
	return h.reg.Version(r.PathValue("subject"), version)
}

// lookup serves POST /subjects/{s}: is this schema registered here?
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) {
	req, err := decodeSchemaRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v, err := h.reg.Lookup(r.PathValue("subject"), req.Schema)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, v)
}

// compatibilityResponse is Confluent's verbose compatibility answer.
type compatibilityResponse struct {
	IsCompatible bool     `json:"is_compatible"`
	Messages     []string `json:"messages"`
}

// compatibility serves POST /compatibility/subjects/{s}/versions[/{v}].
func (h *handler) compatibility(w http.ResponseWriter, r *http.Request) {
	version := 0
	if r.PathValue("version") != "" {
		v, err := pathVersion(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		version = v
	}
	req, err := decodeSchemaRequest(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	reasons, err := h.reg.CheckCompatibility(r.PathValue("subject"), version, req.Schema)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, compatibilityResponse{IsCompatible: len(reasons) == 0, Messages: append([]string{}, reasons...)})
}
