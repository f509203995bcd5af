package main

import (
	"encoding/json"
	"testing"

	validator "github.com/pb33f/libopenapi-validator"
)

// portalLinks exercises the portal-link routes against their documentation:
// create (with and without a body, refused ttl, unknown subscription), list,
// revoke and revoke again.
func portalLinks(t *testing.T, v validator.Validator, base string, done map[string]bool) {
	j := "application/json"
	body := exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/portal-links", body: `{"ttl":"2h"}`, contentType: j, status: 201})
	exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/portal-links", status: 201})
	exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/portal-links", body: `{"ttl":"forever"}`, contentType: j, status: 400})
	exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/nope/portal-links", status: 404})
	exercise(t, v, base, call{method: "POST", path: "/v1/subscriptions/pos-sync/portal-links", status: 401, noAuth: true})
	var link struct{ ID string }
	if err := json.Unmarshal(body, &link); err != nil || link.ID == "" {
		t.Fatalf("created portal link %s: %v", body, err)
	}
	exercise(t, v, base, call{method: "GET", path: "/v1/subscriptions/pos-sync/portal-links", status: 200})
	exercise(t, v, base, call{method: "GET", path: "/v1/subscriptions/nope/portal-links", status: 404})
	exercise(t, v, base, call{method: "DELETE", path: "/v1/subscriptions/pos-sync/portal-links/" + link.ID, status: 204})
	exercise(t, v, base, call{method: "DELETE", path: "/v1/subscriptions/pos-sync/portal-links/nolink", status: 404})
	for _, k := range []string{"POST /v1/subscriptions/{id}/portal-links", "GET /v1/subscriptions/{id}/portal-links",
		"DELETE /v1/subscriptions/{id}/portal-links/{linkId}"} {
		done[k] = true
	}
}
