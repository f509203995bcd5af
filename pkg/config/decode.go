package config

import (
	"reflect"
	"strings"
)

// splitCommaList turns "a, b" (how lists arrive from env vars and flags)
// into []string{"a", "b"}, and "" into an empty list; the elements are then
// decoded to the slice's element type ("5s" to a time.Duration).
func splitCommaList(from, to reflect.Type, data any) (any, error) {
	if from.Kind() != reflect.String || to.Kind() != reflect.Slice {
		return data, nil
	}
	s := strings.TrimSpace(data.(string))
	if s == "" {
		return []string{}, nil
	}
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}
