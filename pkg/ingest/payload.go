package ingest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

// payloadText returns the envelope's "payload" value (any key casing) when
// it is a JSON string: Engage's ciphertext.
func payloadText(raw []byte) (json.RawMessage, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(raw, &top) != nil {
		return nil, false
	}
	v, ok := top["payload"]
	if !ok {
		for k, kv := range top {
			if strings.EqualFold(k, "payload") {
				v, ok = kv, true
				break
			}
		}
	}
	if !ok || len(v) == 0 || v[0] != '"' {
		return nil, false
	}
	return v, true
}

// writeDuplicate answers a retry of a message already written: 200, with
// nothing written.
func writeDuplicate(w http.ResponseWriter, ref eventRef) {
	httpapi.WriteJSON(w, http.StatusOK, response{Events: []eventRef{ref}, Duplicate: true})
}
