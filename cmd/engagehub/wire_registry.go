package main

import (
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// registryRoute mounts the built-in schema registry at /registry/: reads
// open, writes with a token (Bearer, or Basic with the token as password).
func registryRoute(reg *registry.Registry, router *httpapi.Router) httpapi.Route {
	h := registry.NewHandler(reg,
		registry.WithPrefix("/registry"),
		registry.WithAuthorizer(router.Auth().Allowed),
	)
	return httpapi.Route{Path: "/registry/", Tag: "registry", Summary: "built-in schema registry (Confluent REST subset)", Handler: h}
}
