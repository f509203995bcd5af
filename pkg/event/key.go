package event

import (
	"encoding/json"
	"strings"
)

// find returns the value of key name in m, tolerating key casing: an exact
// match wins, then any key equal to name ignoring case ("ContactId" for
// "contactId"). A JSON null counts as absent.
func find(m map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	v, ok := m[name]
	if !ok {
		for k, kv := range m {
			if strings.EqualFold(k, name) {
				v, ok = kv, true
				break
			}
		}
	}
	if !ok || isNull(v) {
		return nil, false
	}
	return v, true
}

func isNull(v json.RawMessage) bool {
	return len(v) == 0 || string(v) == "null"
}

// isString reports whether v is a JSON string.
func isString(v json.RawMessage) bool {
	return len(v) > 0 && v[0] == '"'
}

// isNumber reports whether v is a JSON number.
func isNumber(v json.RawMessage) bool {
	return len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9')
}

// text returns the content of a JSON string, or false when v is not one.
func text(v json.RawMessage) (string, bool) {
	if !isString(v) {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}
