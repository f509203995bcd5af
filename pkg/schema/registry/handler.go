package registry

import (
	"net/http"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// Authorizer decides whether a write request (register, config change,
// delete) may proceed. The server supplies it: engagehub accepts
// "Authorization: Bearer <token>" and Basic auth with the token as password,
// since Confluent clients send Basic. Reads never consult it.
type Authorizer func(r *http.Request) bool

// HandlerOption configures NewHandler.
type HandlerOption func(*handler)

// WithPrefix serves the API under prefix (e.g. "/registry"), so the handler
// can be mounted without http.StripPrefix. Default "": served at the root.
func WithPrefix(prefix string) HandlerOption {
	return func(h *handler) { h.prefix = prefix }
}

// WithAuthorizer sets who may write. Default: nobody (every write gets 401).
func WithAuthorizer(a Authorizer) HandlerOption {
	return func(h *handler) { h.authorize = a }
}

// WithLogger logs 5xx answers. Default zap.NewNop().
func WithLogger(l *zap.Logger) HandlerOption {
	return func(h *handler) { h.log = l }
}

// handler serves the Confluent REST subset over a Registry.
type handler struct {
	reg       *Registry
	prefix    string
	authorize Authorizer
	log       *zap.Logger
	mux       *http.ServeMux
}

// NewHandler returns the HTTP face of reg: the subset of the Confluent
// Schema Registry REST API that serializers and kcat-style tools use.
// Reads are open; writes need the Authorizer's consent.
func NewHandler(reg *Registry, opts ...HandlerOption) http.Handler {
	h := &handler{reg: reg, authorize: func(*http.Request) bool { return false }, log: zap.NewNop()}
	for _, opt := range opts {
		opt(h)
	}
	h.mux = http.NewServeMux()
	h.routes()
	return h
}

func (h *handler) routes() {
	read := map[string]http.HandlerFunc{
		"GET /{$}":                                                  h.root,
		"GET /schemas/types":                                        h.schemaTypes,
		"GET /schemas/ids/{id}":                                     h.schemaByID,
		"GET /schemas/ids/{id}/schema":                              h.rawSchemaByID,
		"GET /subjects":                                             h.subjects,
		"GET /subjects/{subject}/versions":                          h.versions,
		"GET /subjects/{subject}/versions/{version}":                h.version,
		"GET /subjects/{subject}/versions/{version}/schema":         h.rawVersion,
		"POST /subjects/{subject}":                                  h.lookup,
		"POST /compatibility/subjects/{subject}/versions":           h.compatibility,
		"POST /compatibility/subjects/{subject}/versions/{version}": h.compatibility,
		"GET /config":                                               h.globalConfig,
		"GET /config/{subject}":                                     h.subjectConfig,
	}
	write := map[string]http.HandlerFunc{
		"POST /subjects/{subject}/versions": h.register,
		"DELETE /subjects/{subject}":        h.deleteSubject,
		"PUT /config":                       h.putConfig,
		"PUT /config/{subject}":             h.putConfig,
		"DELETE /config/{subject}":          h.deleteConfig,
	}
	for pattern, f := range read {
		h.handle(pattern, f)
	}
	for pattern, f := range write {
		h.handle(pattern, h.requireAuth(f))
	}
}

// handle registers pattern ("METHOD /path") under the prefix.
func (h *handler) handle(pattern string, f http.HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	h.mux.Handle(method+" "+h.prefix+path, f)
}

// ServeHTTP routes to the matching endpoint; anything else gets Confluent's
// 404 body rather than the mux's plain text.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.writeError(w, r, errNotFound(r))
		return
	}
	h.mux.ServeHTTP(w, r)
}

// requireAuth answers 401 unless the Authorizer accepts the request.
func (h *handler) requireAuth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !h.authorize(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="engagehub schema registry"`)
			h.writeError(w, r, ErrUnauthorized)
			return
		}
		next(w, r)
	}
}

func (h *handler) logError(r *http.Request, err error) {
	h.log.Error("registry request failed",
		zap.String("method", r.Method), zap.String("path", r.URL.Path), zap.Error(err))
}

// pathVersion reads the {version} path value: a number, or "latest" / -1.
func pathVersion(r *http.Request) (int, error) {
	s := r.PathValue("version")
	if s == "latest" {
		return Latest, nil
	}
	v, err := strconv.Atoi(s)
	if err == nil && (v == Latest || (v >= 1 && v <= maxValidVersion)) {
		return v, nil
	}
	return 0, newError(http.StatusUnprocessableEntity, CodeInvalidVersion,
		"The specified version '%s' is not a valid version id. "+
			"Allowed values are between [1, 2^31-1] and the string \"latest\"", s)
}
