package event

import (
	"fmt"
	"strings"
)

// Match reports whether the subscription pattern selects events of type t.
// A pattern is "*" (every type, known or not), a prefix wildcard ending in
// ".*" ("contact.*" selects "contact.created" and
// "contact.acceptsEmail.changed" but not "contact"), or an exact type name.
// Matching is case-sensitive, as Engage's type names are.
func Match(pattern string, t Type) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, ".*"):
		prefix := pattern[:len(pattern)-1] // keep the dot
		return len(t) > len(prefix) && strings.HasPrefix(string(t), prefix)
	default:
		return pattern == string(t)
	}
}

// ValidPattern returns an error naming the problem when pattern is not a
// subscription pattern Match understands. Exact names outside the catalog
// are allowed (they select events routed to the unrecognized topic).
func ValidPattern(pattern string) error {
	if pattern == "*" {
		return nil
	}
	name := strings.TrimSuffix(pattern, ".*")
	if name == "" {
		return fmt.Errorf("event: pattern %q: empty type name", pattern)
	}
	if strings.Contains(name, "*") {
		return fmt.Errorf("event: pattern %q: '*' only allowed alone or as a final \".*\"", pattern)
	}
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return fmt.Errorf("event: pattern %q: empty segment", pattern)
		}
		if strings.ContainsFunc(part, invalidPatternRune) {
			return fmt.Errorf("event: pattern %q: segment %q must be letters, digits, '_' or '-'", pattern, part)
		}
	}
	return nil
}

func invalidPatternRune(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
}
