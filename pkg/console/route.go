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
		get("/console/subscriptions", page, c.subscriptionsPage),
		get("/console/subscriptions/new", page, c.newSubscriptionPage),
		post("/console/subscriptions", c.createSubscription),
		get("/console/subscriptions/{id}", page, c.subscriptionPage),
		get("/console/subscriptions/{id}/edit", page, c.editSubscriptionPage),
		post("/console/subscriptions/{id}", c.updateSubscription),
		post("/console/subscriptions/{id}/enable", c.enableSubscription),
		post("/console/subscriptions/{id}/disable", c.disableSubscription),
		post("/console/subscriptions/{id}/rotate", c.rotateSecret),
		post("/console/subscriptions/{id}/test", c.testEvent),
		post("/console/subscriptions/{id}/delete", c.deleteSubscription),
		post("/console/subscriptions/{id}/portal-links", c.createPortalLink),
		post("/console/subscriptions/{id}/portal-links/{linkId}/revoke", c.revokePortalLink),
		get("/console/subscriptions/{id}/attempts", page, c.attemptsPage),
		get("/console/subscriptions/{id}/dead-letters", page, c.deadLettersPage),
		post("/console/subscriptions/{id}/dead-letters/redrive", c.redrive),
		get("/console/subscriptions/{id}/replay", page, c.replayPage),
		post("/console/subscriptions/{id}/replay", c.startReplay),
		get("/console/replays/{job}", page, c.replayProgress),
		get("/console/fragments/replays/{job}", fragment, c.replayFragment),
		get("/console/event-types", page, c.catalogPage),
		get("/console/event-types/{type}", page, c.eventTypePage),
		post("/console/event-types/{type}/send", c.sendSample),
		get("/console/trace", page, c.tracePage),
	}
}
