package transform

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// The example transformation in docs compiles and reshapes a catalog
// example as its comment says.
func TestTheDocsExampleTransformationReshapes(t *testing.T) {
	s := compileTypical(t)
	spec, _ := event.Lookup(event.ContactUpdated)
	out, err := s.Run(context.Background(), Webhook{EventType: string(spec.Type), URL: "https://x.example/hook", Payload: spec.Example})
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Type    string         `json:"type"`
		Contact string         `json:"contact"`
		Data    map[string]any `json:"data"`
	}
	if err := json.Unmarshal(out.Payload, &body); err != nil || body.Type != string(spec.Type) || body.Contact == "" || body.Data["contactId"] != body.Contact {
		t.Fatalf("body %s (%v)", out.Payload, err)
	}
	if out.Headers["x-engage-type"] != string(spec.Type) {
		t.Fatalf("headers %v", out.Headers)
	}
}
