package registry

import (
	"strings"

	"github.com/hamba/avro/v2"
)

// Level is a Confluent compatibility level.
type Level string

// Compatibility levels. DefaultLevel applies until PUT /config says otherwise.
const (
	Backward           Level = "BACKWARD"
	BackwardTransitive Level = "BACKWARD_TRANSITIVE"
	Forward            Level = "FORWARD"
	ForwardTransitive  Level = "FORWARD_TRANSITIVE"
	Full               Level = "FULL"
	FullTransitive     Level = "FULL_TRANSITIVE"
	None               Level = "NONE"
	DefaultLevel             = Backward
)

// ParseLevel accepts a level name in any letter case.
func ParseLevel(s string) (Level, error) {
	l := Level(strings.ToUpper(strings.TrimSpace(s)))
	switch l {
	case Backward, BackwardTransitive, Forward, ForwardTransitive, Full, FullTransitive, None:
		return l, nil
	}
	return "", ErrInvalidCompatibility
}

// transitive reports whether the level checks every live version rather
// than only the latest.
func (l Level) transitive() bool {
	return strings.HasSuffix(string(l), "_TRANSITIVE")
}

// checksBackward reports whether the new schema must read old data.
func (l Level) checksBackward() bool {
	return strings.HasPrefix(string(l), "BACKWARD") || strings.HasPrefix(string(l), "FULL")
}

// checksForward reports whether old schemas must read new data.
func (l Level) checksForward() bool {
	return strings.HasPrefix(string(l), "FORWARD") || strings.HasPrefix(string(l), "FULL")
}

// compatible checks next against one earlier schema in the directions the
// level asks for and returns the reasons it fails, empty when compatible.
//
// A fresh avro.SchemaCompatibility is used per call: hamba caches results by
// Parsing Canonical Form fingerprint, which ignores defaults, so a shared
// cache would confuse "field with default" with "field without".
func (l Level) compatible(next, prev avro.Schema) []string {
	var reasons []string
	if l.checksBackward() {
		if err := avro.NewSchemaCompatibility().Compatible(next, prev); err != nil {
			reasons = append(reasons, "new schema cannot read data written with it: "+err.Error())
		}
	}
	if l.checksForward() {
		if err := avro.NewSchemaCompatibility().Compatible(prev, next); err != nil {
			reasons = append(reasons, "it cannot read data written with the new schema: "+err.Error())
		}
	}
	return reasons
}
