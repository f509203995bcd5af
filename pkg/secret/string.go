package secret

import "encoding/json"

// Redacted is what a set secret prints as.
const Redacted = "[redacted]"

// String is a secret held as text. fmt (%v, %s, %q, %#v), encoding/json,
// YAML encoders and zap see Redacted, or "" when the secret is empty, so
// that a printed configuration still shows whether it is set. It decodes
// from configuration like any string.
type String string

// Reveal returns the secret's value, for the code that uses it.
func (s String) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s String) String() string {
	if s == "" {
		return ""
	}
	return Redacted
}

// GoString implements fmt.GoStringer (%#v).
func (s String) GoString() string { return `"` + s.String() + `"` }

// MarshalText implements encoding.TextMarshaler.
func (s String) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON implements json.Marshaler.
func (s String) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML implements the YAML encoders' Marshaler.
func (s String) MarshalYAML() (any, error) { return s.String(), nil }

// Reveal returns the values of ss.
func Reveal(ss []String) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}
