package producer

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/engagehub/engagehub/pkg/event"
)

// Samples returns n envelopes of type t built from the catalog's example
// (t "" cycles through every catalog type): each with a fresh id and one of
// 1,000 contactIds, so the records spread over partitions while each
// contact still gets several events, in order. An unknown t is an error.
func Samples(t event.Type, n int) ([][]byte, error) {
	specs, err := sampleSpecs(t)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, n)
	for i := range out {
		contact := fmt.Sprintf("sample-contact-%04d", i%1000)
		raw, err := withIDs(specs[i%len(specs)].Example, NewID(), contact)
		if err != nil {
			return nil, err
		}
		out[i] = raw
	}
	return out, nil
}

func sampleSpecs(t event.Type) ([]event.Spec, error) {
	if t == "" {
		return event.Catalog(), nil
	}
	spec, ok := event.Lookup(t)
	if !ok {
		return nil, fmt.Errorf("producer: no sample for unknown event type %q", t)
	}
	return []event.Spec{spec}, nil
}

// withIDs rewrites an envelope's id (under whichever name it uses) and its
// payload's contactId (in whichever casing).
func withIDs(example []byte, id, contact string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(example, &top); err != nil {
		return nil, fmt.Errorf("producer: sample: %w", err)
	}
	setKey(top, "id", id, "eventId")
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(top["payload"], &payload); err != nil {
		return nil, fmt.Errorf("producer: sample payload: %w", err)
	}
	setKey(payload, "contactId", contact)
	top["payload"], _ = json.Marshal(payload)
	return json.Marshal(top)
}

// setKey sets the first of names present in m (ignoring case), or names[0]
// when none is, to the JSON string value.
func setKey(m map[string]json.RawMessage, name, value string, alts ...string) {
	v, _ := json.Marshal(value)
	for _, n := range append([]string{name}, alts...) {
		for k := range m {
			if strings.EqualFold(k, n) {
				m[k] = v
				return
			}
		}
	}
	m[name] = v
}
