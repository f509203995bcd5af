package event

import (
	"encoding/json"
)

// Validate checks env against the catalog: eventType must be present; for
// a known type with a readable payload, every required payload field must
// be present and every present field must have its kind. An id may be
// empty (callers generate one). An unknown type is valid: it is routed raw.
// The error is a *FieldError naming the first offending field.
func Validate(env Envelope) error {
	_, err := typedPayload(env)
	if err != nil {
		return err
	}
	return nil
}

// typedPayload validates env and returns its payload with canonical names
// and typed values, or nil for an unknown type or an unreadable (encrypted)
// payload.
func typedPayload(env Envelope) (map[string]any, *FieldError) {
	if env.Type == "" {
		return nil, fieldErr("eventType", "required")
	}
	spec, ok := lookup(env.Type)
	if !ok {
		return nil, nil
	}
	if env.Payload == nil {
		if env.IsEncrypted {
			return nil, nil
		}
		return nil, fieldErr("payload", "required")
	}
	out := make(map[string]any, len(spec.Fields))
	for _, f := range spec.Fields {
		v, ok := find(env.Payload, f.Name)
		if !ok {
			if f.Required {
				return nil, fieldErr("payload."+f.Name, "required")
			}
			continue
		}
		val, ferr := convert(f, payloadPath(f.Name), v)
		if ferr != nil {
			return nil, ferr
		}
		out[f.Name] = val
	}
	if id, _ := out[contactID].(string); id == "" {
		return nil, fieldErr("payload."+contactID, "required")
	}
	return out, nil
}

// payloadPaths are "payload."+name for the catalog's field names, built
// once rather than for every field of every event.
var payloadPaths = func() map[string]string {
	m := map[string]string{}
	for _, spec := range catalog {
		for _, f := range spec.Fields {
			m[f.Name] = "payload." + f.Name
		}
	}
	return m
}()

func payloadPath(name string) string {
	if p, ok := payloadPaths[name]; ok {
		return p
	}
	return "payload." + name
}

// convert reads one field's value by its kind.
func convert(f Field, path string, v json.RawMessage) (any, *FieldError) {
	var (
		val any
		ok  bool
	)
	switch f.Kind {
	case KindString:
		val, ok = text(v)
	case KindID:
		val, ok = toID(v)
	case KindBool:
		val, ok = toBool(v)
	case KindInt:
		val, ok = toInt(v)
	case KindDecimal:
		val, ok = toDecimal(v)
	case KindTimestamp:
		val, ok = toTimestamp(v)
	case KindAttributes:
		val, ok = toAttributes(v)
	case KindChannels:
		return toChannelsAny(path, v)
	}
	if !ok {
		return nil, fieldErr(path, kindReason[f.Kind])
	}
	return val, nil
}

func toChannelsAny(path string, v json.RawMessage) (any, *FieldError) {
	ch, ferr := toChannels(path, v)
	if ferr != nil {
		return nil, ferr
	}
	return ch, nil
}

var kindReason = [...]string{
	KindString:     "must be a string",
	KindID:         "must be a string or an integer",
	KindBool:       "must be a boolean",
	KindInt:        "must be an integer",
	KindDecimal:    "must be a decimal number",
	KindTimestamp:  "must be an RFC 3339 timestamp",
	KindAttributes: "must be an object",
	KindChannels:   "must be an array",
}
