package admin

import (
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/schema"
)

func TestMissingResourcesAnswerOneCodeNamingTheID(t *testing.T) {
	srv, router := newServer(t)
	set, err := schema.Load()
	if err != nil {
		t.Fatal(err)
	}
	router.Handle(NewEventTypes(ops.New(ops.Deps{TopicPrefix: "engage.", Schemas: set})).Routes()...)
	for _, path := range []string{"/v1/subscriptions/nope-id", "/v1/event-types/nope-id"} {
		status, body := call(t, srv, "GET", path, "", "")
		if status != 404 || !strings.Contains(body, `"code":"not_found"`) || !strings.Contains(body, "nope-id") {
			t.Errorf("GET %s = %d %s, want 404 not_found naming nope-id", path, status, body)
		}
	}
}
