package admin

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// RouteLister is the route table the OpenAPI document describes
// (*httpapi.Router).
type RouteLister interface {
	Routes() []httpapi.Route
}

// OpenAPI serves GET /openapi.json: an OpenAPI 3.1 document generated on
// every request from the routes registered at that moment, so routes other
// packages add (ingest, delivery, the registry mount) appear without
// anyone editing a file. Operations are keyed as the route table keys them;
// each carries x-engagehub-route ("METHOD /path", "ANY /prefix/" for a
// mount) so a test can walk both ways.
type OpenAPI struct {
	routes  RouteLister
	version string
}

// NewOpenAPI returns the document handler for routes; version is the
// engagehub version shown in info.
func NewOpenAPI(routes RouteLister, version string) *OpenAPI {
	return &OpenAPI{routes: routes, version: version}
}

// Routes returns GET /openapi.json (unauthenticated).
func (o *OpenAPI) Routes() []httpapi.Route {
	return []httpapi.Route{{Method: http.MethodGet, Path: "/openapi.json", Tag: "operations",
		Summary: "this OpenAPI 3.1 document", Handler: http.HandlerFunc(o.serve)}}
}

func (o *OpenAPI) serve(w http.ResponseWriter, _ *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, o.Document())
}

// Document builds the document from the current routes.
func (o *OpenAPI) Document() map[string]any {
	paths := map[string]any{}
	for _, rt := range o.routes.Routes() {
		path, params := openAPIPath(rt.Path)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		for _, method := range methodsOf(rt) {
			item[strings.ToLower(method)] = operation(rt, method, params)
		}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "engagehub", "version": o.version, "description": "Voyado Engage webhook fan-out hub"},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas":         allSchemas(),
		},
	}
}

// mountMethods are listed for a prefix mount (a route without a method).
var mountMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}

func methodsOf(rt httpapi.Route) []string {
	if rt.Method == "" {
		return mountMethods
	}
	return []string{rt.Method}
}

// RouteKey is how the document names a route: "GET /v1/subscriptions", or
// "ANY /registry/" for a mount.
func RouteKey(rt httpapi.Route) string {
	if rt.Method == "" {
		return "ANY " + rt.Path
	}
	return rt.Method + " " + rt.Path
}

var wildcard = regexp.MustCompile(`\{([A-Za-z0-9_]+)(\.\.\.)?\}`)

// openAPIPath turns a net/http pattern path into an OpenAPI path and its
// parameters: "{id}" stays, "{rest...}" becomes "{rest}", and a trailing
// "/" mount becomes "/prefix/{path}".
func openAPIPath(p string) (string, []string) {
	if strings.HasSuffix(p, "/") && p != "/" {
		p += "{path}"
	}
	var params []string
	out := wildcard.ReplaceAllStringFunc(p, func(m string) string {
		name := wildcard.FindStringSubmatch(m)[1]
		params = append(params, name)
		return "{" + name + "}"
	})
	return out, params
}

func operation(rt httpapi.Route, method string, params []string) map[string]any {
	op := map[string]any{
		"summary":           rt.Summary,
		"operationId":       operationID(rt, method),
		"x-engagehub-route": RouteKey(rt),
		"responses":         responsesFor(rt, method),
	}
	if rt.Tag != "" {
		op["tags"] = []string{rt.Tag}
	}
	if rt.Authenticated {
		op["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	list := make([]any, 0, len(params))
	for _, name := range params {
		list = append(list, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	if list = append(list, queryFor(rt, method)...); len(list) > 0 {
		op["parameters"] = list
	}
	if body := requestBodyFor(rt, method); body != nil {
		op["requestBody"] = body
	}
	return op
}

func operationID(rt httpapi.Route, method string) string {
	id := strings.ToLower(method) + wildcard.ReplaceAllString(rt.Path, "by-$1")
	return strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(strings.TrimSuffix(id, "/"))
}
