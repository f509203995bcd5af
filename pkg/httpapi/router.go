package httpapi

import (
	"net/http"
	"sort"
	"sync"
)

// Route is one endpoint of the API.
type Route struct {
	// Method is the HTTP method ("" for a prefix mount that takes all methods).
	Method string
	// Path is a net/http pattern path such as "/v1/subscriptions/{id}"; a
	// trailing "/" mounts a subtree.
	Path string
	// Summary is one line for the OpenAPI document.
	Summary string
	// Tag groups routes in the OpenAPI document (e.g. "subscriptions").
	Tag string
	// Authenticated routes need a bearer token.
	Authenticated bool
	// Handler serves the route.
	Handler http.Handler
}

// Router is the route table. Roles add routes before the server starts;
// Routes lists them (for the OpenAPI document and its test).
type Router struct {
	mux    *http.ServeMux
	auth   *Auth
	mu     sync.Mutex
	routes []Route
}

// NewRouter returns an empty router that authenticates with auth.
func NewRouter(auth *Auth) *Router {
	r := &Router{mux: http.NewServeMux(), auth: auth}
	r.mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		WriteError(w, http.StatusNotFound, "not_found", "no route for "+req.Method+" "+req.URL.Path)
	})
	return r
}

// Handle adds routes.
func (r *Router) Handle(routes ...Route) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rt := range routes {
		h := rt.Handler
		if rt.Authenticated {
			h = r.auth.Require(h)
		}
		pattern := rt.Path
		if rt.Method != "" {
			pattern = rt.Method + " " + rt.Path
		}
		r.mux.Handle(pattern, h)
		r.routes = append(r.routes, rt)
	}
}

// Routes returns the routes added so far, sorted by path then method.
func (r *Router) Routes() []Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]Route(nil), r.routes...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Auth returns the router's authenticator, for handlers that check tokens
// themselves (the schema registry authenticates writes only).
func (r *Router) Auth() *Auth { return r.auth }

// ServeHTTP dispatches to the matching route; an unknown path gets a JSON 404
// and a known path with the wrong method a JSON 405.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, pattern := r.mux.Handler(req)
	if pattern == "" {
		// Only a method mismatch has no pattern (unknown paths fall to "/"):
		// net/http answers it with a text body; make it JSON like the rest.
		r.mux.ServeHTTP(&statusSniffer{ResponseWriter: w}, req)
		return
	}
	r.mux.ServeHTTP(w, req)
}

// statusSniffer turns net/http's plain-text 405 into a JSON error.
type statusSniffer struct {
	http.ResponseWriter
	replaced bool
}

func (s *statusSniffer) WriteHeader(code int) {
	if code == http.StatusMethodNotAllowed {
		s.replaced = true
		s.ResponseWriter.Header().Set("Content-Type", "application/json")
		s.ResponseWriter.WriteHeader(code)
		_, _ = s.ResponseWriter.Write([]byte(`{"error":{"code":"method_not_allowed","message":"method not allowed on this path"}}` + "\n"))
		return
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusSniffer) Write(b []byte) (int, error) {
	if s.replaced {
		return len(b), nil
	}
	return s.ResponseWriter.Write(b)
}
