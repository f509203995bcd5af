package console

import "net/http"

// access says what a route needs and what it answers without it.
type access int

const (
	// public routes need nothing (sign-in, assets, opening a portal link).
	public access = iota
	// page routes need a session; without one they redirect to sign-in
	// (console) or answer 401 (portal).
	page
	// form routes are POSTs that need a session and its CSRF token; without
	// the session as page, without the token 403.
	form
	// fragment routes are the live parts' HTML and JSON; without a session 401.
	fragment
)

func (a access) String() string {
	return [...]string{"public", "page", "form", "fragment"}[a]
}

// route is one entry of the console's route table; the mux and the
// access checks are both built from it.
type route struct {
	method  string
	path    string
	access  access
	portal  bool
	handler http.HandlerFunc
}

func get(path string, a access, h http.HandlerFunc) route {
	return route{method: http.MethodGet, path: path, access: a, handler: h}
}

func post(path string, h http.HandlerFunc) route {
	return route{method: http.MethodPost, path: path, access: form, handler: h}
}

// consoleRoutes are the operator console's routes.
func (c *Console) consoleRoutes() []route {
	return []route{
		get("/console/{$}", page, c.overview),
		get("/console/assets/{file}", public, c.asset),
		get("/console/signin", public, c.signinPage),
		{method: http.MethodPost, path: "/console/signin", access: public, handler: c.signin},
		post("/console/signout", c.signout),
		get("/console/fragments/overview", fragment, c.overviewFragment),
	}
}
