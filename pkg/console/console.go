package console

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// TokenVerifier knows the admin tokens; *httpapi.Auth is one.
type TokenVerifier interface {
	// Valid reports whether token is an admin token (compared in constant time).
	Valid(token string) bool
}

// Deps are what the console needs; cmd/engagehub wires the real ones.
type Deps struct {
	// Ops are the operator operations, the same the admin API serves.
	Ops Ops
	// Tokens checks the admin token typed into the sign-in page.
	Tokens TokenVerifier
	// Links records portal links; nil serves no portal.
	Links *Links
	// Metrics is the process's own registry, read by the overview.
	Metrics prometheus.Gatherer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log is named by the caller (default zap.NewNop()).
	Log *zap.Logger
}

// Console serves /console/ and /portal/.
type Console struct {
	cfg      Config
	deps     Deps
	sessions *sessions
	signins  *throttle
	key      []byte // signs the sign-in form's token; random per process
	pages    *pages
	rates    *rates
	routes   []route
	mux      *http.ServeMux
}

// New returns the console; call Mount to get its routes and Run to keep
// the overview's rates.
func New(cfg Config, deps Deps) *Console {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	c := &Console{cfg: cfg, deps: deps, key: []byte(randomToken()), pages: mustParsePages(),
		sessions: newSessions(cfg.SessionTTL, cfg.MaxSessions, deps.Now), signins: newThrottle(failedSignins, time.Minute, deps.Now)}
	c.rates = newRates(deps.Metrics, deps.Now)
	c.routes = append(c.consoleRoutes(), c.portalRoutes()...)
	c.mux = http.NewServeMux()
	for _, rt := range c.routes {
		c.mux.Handle(rt.method+" "+rt.path, c.guard(rt))
	}
	c.mux.HandleFunc("/console/", c.notFound)
	c.mux.HandleFunc("/portal/", c.notFound)
	return c
}

// failedSignins is how many refused sign-ins a minute a process takes
// before it refuses every sign-in until the minute is over.
const failedSignins = 20

// Mount returns the routes to add to the API router: the console's and the
// portal's subtrees, and the admin API's portal-link endpoints.
func (c *Console) Mount() []httpapi.Route {
	return append([]httpapi.Route{
		{Path: "/console/", Tag: "console", Summary: "the operator console (HTML; sign in with an admin token)", Handler: c.mux},
		{Path: "/portal/", Tag: "console", Summary: "the subscriber portal (HTML; opened by a portal link)", Handler: c.mux},
	}, c.linkRoutes()...)
}

// ServeHTTP serves the console's and the portal's pages.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// Route describes one console or portal route, for tests that must cover
// every one of them.
type Route struct {
	Method string
	// Path is a net/http pattern path; {id} is a subscription id.
	Path string
	// Access is "public", "page", "form" or "fragment".
	Access string
	// Portal routes are reached with a portal link, the others with a
	// console session.
	Portal bool
}

// Routes lists every route the console and the portal serve.
func (c *Console) Routes() []Route {
	out := make([]Route, 0, len(c.routes))
	for _, rt := range c.routes {
		out = append(out, Route{Method: rt.method, Path: rt.path, Access: rt.access.String(), Portal: rt.portal})
	}
	return out
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	c.renderError(w, r, http.StatusNotFound, "No page at "+r.URL.Path+".")
}

// Run keeps the overview's rates (a sample of the metrics every few
// seconds) until ctx is done.
func (c *Console) Run(ctx context.Context) error { return c.rates.Run(ctx) }
