package httpapi

import (
	"net/http"
	"sort"
	"strings"
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
	r.mux.HandleFunc(catchAll, func(w http.ResponseWriter, req *http.Request) {
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

// ServeHTTP dispatches to the matching route. A path no route serves gets
// a JSON 404; a path some route serves with another method gets a JSON 405
// with Allow listing the methods it takes.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if _, pattern := r.mux.Handler(req); pattern == catchAll {
		if allow := r.allowed(req); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			WriteError(w, http.StatusMethodNotAllowed, "method_not_allowed",
				req.Method+" is not allowed on "+req.URL.Path+" (allowed: "+strings.Join(allow, ", ")+")")
			return
		}
	}
	r.mux.ServeHTTP(w, req)
}

// catchAll is the pattern of the JSON 404, which matches every request
// no route does.
const catchAll = "/"

// methods are those a route may be declared with.
var methods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// allowed returns the methods with a route for req's path (HEAD wherever
// GET is: net/http serves it), or none when the path has no route at all.
func (r *Router) allowed(req *http.Request) []string {
	var allow []string
	probe := req.Clone(req.Context())
	for _, m := range methods {
		probe.Method = m
		if _, pattern := r.mux.Handler(probe); pattern != catchAll {
			allow = append(allow, m)
		}
	}
	return allow
}
