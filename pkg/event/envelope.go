package event

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Envelope is Engage's webhook envelope, parsed tolerantly but not yet
// checked against the catalog (see Validate).
type Envelope struct {
	// ID comes from "id" or "eventId"; it may be empty, and callers then
	// generate one.
	ID string
	// Type comes from "eventType".
	Type Type
	// Tenant is Engage's tenant name, "" when absent.
	Tenant string
	// IsEncrypted is Engage's isEncrypted flag. An encrypted payload that is
	// not a JSON object leaves Payload nil.
	IsEncrypted bool
	// Payload holds the payload's fields by the names they arrived with;
	// nil when the payload is absent, null or encrypted text.
	Payload map[string]json.RawMessage
	// AllowUnrecognized is the producer's "allowUnrecognized": true: a type
	// outside the catalog is meant, and goes raw to the unrecognized topic.
	// POST /v1/events refuses an unknown type without it; the Engage door
	// ignores it.
	AllowUnrecognized bool
	// Raw is the input, byte for byte, not copied: callers must not modify
	// it after Parse.
	Raw []byte
}

// Parse reads an envelope. It fails with an error wrapping ErrMalformed
// when raw is not a JSON object, and with a *FieldError when an envelope
// field has the wrong type. It does not check required fields: see Validate.
func Parse(raw []byte) (Envelope, error) {
	var buf [16]member
	top, ok := members(raw, buf[:0])
	if !ok {
		return Envelope{}, malformed(raw)
	}
	env := Envelope{Raw: raw}
	var err error
	if env.ID, err = parseID(top); err != nil {
		return Envelope{}, err
	}
	if env.Type, err = parseType(top); err != nil {
		return Envelope{}, err
	}
	if env.Tenant, err = parseString[string](top, "tenant"); err != nil {
		return Envelope{}, err
	}
	if env.IsEncrypted, err = parseBool(top, "isEncrypted"); err != nil {
		return Envelope{}, err
	}
	if env.AllowUnrecognized, err = parseBool(top, "allowUnrecognized"); err != nil {
		return Envelope{}, err
	}
	if env.Payload, err = parsePayload(top, env.IsEncrypted); err != nil {
		return Envelope{}, err
	}
	return env, nil
}

// parseBool reads an optional boolean member (false when absent).
func parseBool(top []member, name string) (bool, error) {
	v, ok := findMember(top, name)
	if !ok {
		return false, nil
	}
	b, ok := toBool(v)
	if !ok {
		return false, fieldErr(name, "must be a boolean")
	}
	return b, nil
}

// malformed explains why raw is not a JSON object, as encoding/json does.
func malformed(raw []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return fmt.Errorf("%w: not a JSON object", ErrMalformed)
}

// ContactID returns the payload's contactId (any key casing; an integer id
// becomes its text), or "" when there is none.
func (e Envelope) ContactID() string {
	v, ok := find(e.Payload, contactID)
	if !ok {
		return ""
	}
	id, _ := toID(v)
	return id
}

func parseID(top []member) (string, error) {
	for _, name := range [...]string{"id", "eventId"} {
		if v, ok := findMember(top, name); ok {
			id, ok := toID(v)
			if !ok {
				return "", fieldErr(name, "must be a string")
			}
			return id, nil
		}
	}
	return "", nil
}

func parseString[T ~string](top []member, name string) (T, error) {
	v, ok := findMember(top, name)
	if !ok {
		return "", nil
	}
	s, ok := text(v)
	if !ok {
		return "", fieldErr(name, "must be a string")
	}
	return T(s), nil
}

// parseType reads eventType; a catalog type is the catalog's string, not a
// copy.
func parseType(top []member) (Type, error) {
	if v, ok := findMember(top, "eventType"); ok && len(v) >= 2 && v[0] == '"' {
		if t, ok := internedTypes[string(v[1:len(v)-1])]; ok {
			return t, nil // the raw text is the name itself: no escapes in it
		}
	}
	return parseString[Type](top, "eventType")
}

func parsePayload(top []member, encrypted bool) (map[string]json.RawMessage, error) {
	v, ok := findMember(top, "payload")
	if !ok {
		return nil, nil
	}
	if v[0] != '{' {
		if encrypted {
			return nil, nil
		}
		return nil, fieldErr("payload", "must be an object")
	}
	var buf [16]member
	ms, _ := members(v, buf[:0]) // v was validated with the envelope
	p := make(map[string]json.RawMessage, len(ms))
	for _, m := range ms {
		p[intern(m.key)] = m.val
	}
	return p, nil
}

// interned are the payload field names of the catalog in the casings
// Engage sends, so the common keys of Envelope.Payload cost no allocation.
var interned = func() map[string]string {
	m := map[string]string{}
	for _, spec := range catalog {
		for _, f := range spec.Fields {
			pascal := strings.ToUpper(f.Name[:1]) + f.Name[1:]
			m[f.Name], m[pascal] = f.Name, pascal
		}
	}
	return m
}()

// internedTypes are the catalog's type names.
var internedTypes = func() map[string]Type {
	m := make(map[string]Type, len(catalog))
	for _, spec := range catalog {
		m[string(spec.Type)] = spec.Type
	}
	return m
}()

// intern returns key as a string, shared when it is a catalog field name.
func intern(key []byte) string {
	if s, ok := interned[string(key)]; ok {
		return s
	}
	return string(key)
}
