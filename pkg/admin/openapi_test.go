package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
)

func asAPIError(err error, target **APIError) bool { return errors.As(err, target) }

// TestOpenAPIListsExactlyTheRegisteredRoutes walks the router: every route
// in its table is an operation of the served document, and every operation
// of the document is a route — including routes other packages add.
func TestOpenAPIListsExactlyTheRegisteredRoutes(t *testing.T) {
	srv, router := newServer(t)
	ok := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	router.Handle(NewEventTypes(ops.New(ops.Deps{TopicPrefix: "engage."})).Routes()...)
	router.Handle(
		httpapi.Route{Method: http.MethodPost, Path: "/v1/subscriptions/{id}/replay", Summary: "replay", Tag: "delivery", Authenticated: true, Handler: ok},
		httpapi.Route{Path: "/registry/", Summary: "schema registry", Tag: "registry", Handler: ok},
	)
	router.Handle(httpapi.NewHealth().Routes()...)

	resp, err := srv.Client().Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.OpenAPI != "3.1.0" {
		t.Fatalf("document: %v, openapi %q", err, doc.OpenAPI)
	}
	inDoc := map[string]bool{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			var op struct {
				Route    string `json:"x-engagehub-route"`
				Security []any  `json:"security"`
			}
			if err := json.Unmarshal(raw, &op); err != nil || op.Route == "" {
				t.Fatalf("%s %s: no x-engagehub-route (%v)", method, path, err)
			}
			inDoc[op.Route] = true
		}
	}
	inTable := map[string]bool{}
	for _, rt := range router.Routes() {
		key := RouteKey(rt)
		inTable[key] = true
		if !inDoc[key] {
			t.Errorf("route %s is missing from /openapi.json", key)
		}
	}
	for key := range inDoc {
		if !inTable[key] {
			t.Errorf("/openapi.json lists %s, which the router does not serve", key)
		}
	}
	var get struct {
		Security   []map[string][]string `json:"security"`
		Parameters []struct{ Name, In string }
	}
	_ = json.Unmarshal(doc.Paths["/v1/subscriptions/{id}"]["get"], &get)
	if len(get.Security) != 1 || len(get.Parameters) != 1 || get.Parameters[0].Name != "id" {
		t.Fatalf("GET /v1/subscriptions/{id}: security %v parameters %v", get.Security, get.Parameters)
	}
	if _, ok := doc.Paths["/registry/{path}"]["post"]; !ok {
		t.Fatal("the registry mount is not described")
	}
}
