package event

import (
	"bytes"
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

// findMember is find over an object's members in input order: of
// duplicate keys the last wins, as when decoding into a map.
func findMember(ms []member, name string) (json.RawMessage, bool) {
	i := -1
	for j := range ms {
		if string(ms[j].key) == name {
			i = j
		}
	}
	if i < 0 {
		for j := range ms {
			if bytes.EqualFold(ms[j].key, []byte(name)) {
				i = j
				break
			}
		}
	}
	if i < 0 || isNull(ms[i].val) {
		return nil, false
	}
	return ms[i].val, true
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
	if s := (scanner{data: v}); !s.str() || s.pos != len(v) {
		return "", false
	}
	return unquote(v), true
}
