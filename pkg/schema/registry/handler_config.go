package registry

import "net/http"

// configResponse answers GET /config. Confluent names the field
// compatibilityLevel; "compatibility" repeats it for clients (hamba/avro's
// among them) that read the PUT name back.
type configResponse struct {
	CompatibilityLevel Level `json:"compatibilityLevel"`
	Compatibility      Level `json:"compatibility"`
}

// configRequest is the body of PUT /config[/{s}]; either name is accepted.
type configRequest struct {
	Compatibility      string `json:"compatibility"`
	CompatibilityLevel string `json:"compatibilityLevel"`
}

func (h *handler) globalConfig(w http.ResponseWriter, _ *http.Request) {
	l := h.reg.GlobalLevel()
	writeJSON(w, configResponse{CompatibilityLevel: l, Compatibility: l})
}

// subjectConfig serves GET /config/{s}; ?defaultToGlobal=true falls back to
// the global level, otherwise a subject without its own level is 40408.
func (h *handler) subjectConfig(w http.ResponseWriter, r *http.Request) {
	fallback := r.URL.Query().Get("defaultToGlobal") == "true"
	l, err := h.reg.SubjectLevel(r.PathValue("subject"), fallback)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, configResponse{CompatibilityLevel: l, Compatibility: l})
}

// putConfig serves PUT /config and PUT /config/{s}.
func (h *handler) putConfig(w http.ResponseWriter, r *http.Request) {
	var req configRequest
	if err := decodeBody(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	name := req.Compatibility
	if name == "" {
		name = req.CompatibilityLevel
	}
	level, err := ParseLevel(name)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.reg.SetLevel(r.Context(), r.PathValue("subject"), level); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, map[string]Level{"compatibility": level})
}

// deleteConfig serves DELETE /config/{s}, answering the level it removed.
func (h *handler) deleteConfig(w http.ResponseWriter, r *http.Request) {
	prev, err := h.reg.DeleteLevel(r.Context(), r.PathValue("subject"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, configResponse{CompatibilityLevel: prev, Compatibility: prev})
}
