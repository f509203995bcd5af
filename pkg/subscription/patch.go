package subscription

import (
	"encoding/json"
	"fmt"
)

// mergePatch applies an RFC 7386 JSON merge patch to doc: members of the
// patch replace those of doc, null removes them, and objects merge
// recursively (so {"destination": {"headers": {"x-a": null}}} removes one
// header). A patch that is not an object replaces doc entirely.
func mergePatch(doc, patch []byte) ([]byte, error) {
	var p any
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var d any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("subscription: merge patch: %w", err)
	}
	return json.Marshal(merge(d, p))
}

func merge(doc, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		dm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(dm, k)
			continue
		}
		dm[k] = merge(dm[k], v)
	}
	return dm
}
