package httpapi

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Check is one readiness condition; it returns nil when satisfied.
type Check func(ctx context.Context) error

// Health serves /healthz (the process is up) and /readyz (every registered
// check passes: Kafka answers, topics and schemas are in place).
type Health struct {
	mu     sync.Mutex
	checks map[string]Check
}

// NewHealth returns a Health with no checks: not ready until one is added
// and passes, so a half-started process is never reported ready.
func NewHealth() *Health { return &Health{checks: map[string]Check{}} }

// Add registers a named readiness check.
func (h *Health) Add(name string, c Check) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[name] = c
}

// Routes returns the /healthz and /readyz routes.
func (h *Health) Routes() []Route {
	return []Route{
		{Method: http.MethodGet, Path: "/healthz", Tag: "operations", Summary: "the process is up", Handler: http.HandlerFunc(h.healthz)},
		{Method: http.MethodGet, Path: "/readyz", Tag: "operations", Summary: "Kafka answers and topics and schemas are in place", Handler: http.HandlerFunc(h.readyz)},
	}
}

func (h *Health) healthz(w http.ResponseWriter, _ *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Health) readyz(w http.ResponseWriter, r *http.Request) {
	if failures := h.Failing(r.Context()); len(failures) > 0 {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "failing": failures})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// Failing runs every check (3 s at most) and returns the failing ones by
// name with their errors; empty means ready, which is what /readyz
// answers 200 to. With no check registered it is {"startup": "starting"}.
func (h *Health) Failing(ctx context.Context) map[string]string {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	h.mu.Lock()
	checks := make(map[string]Check, len(h.checks))
	for k, v := range h.checks {
		checks[k] = v
	}
	h.mu.Unlock()
	failures := map[string]string{}
	if len(checks) == 0 {
		failures["startup"] = "starting"
	}
	for name, c := range checks {
		if err := c(ctx); err != nil {
			failures[name] = err.Error()
		}
	}
	return failures
}
