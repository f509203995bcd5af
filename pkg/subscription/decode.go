package subscription

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Decode reads a subscription from the admin API's JSON. Absent fields take
// their defaults (enabled true, ordering key, webhook signature
// hmac-sha256, kafka format avro; timeout, maxInFlight and retrySchedule
// absent mean the sender's). Syntax errors wrap ErrMalformed; an unknown field or a
// value of the wrong type is a *ValidationError naming the field. Decode
// does not validate: call Validate.
func Decode(data []byte) (Subscription, error) {
	s := Subscription{Enabled: true}
	if err := decodeInto(data, &s); err != nil {
		return Subscription{}, err
	}
	return s.withDefaults(), nil
}

// decodeInto strictly unmarshals data into v, classifying errors.
func decodeInto(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return classifyDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the object", ErrMalformed)
	}
	return nil
}

func classifyDecodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fieldErr(typeErr.Field, "must be "+jsonKind(typeErr.Type.Kind().String()))
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fieldErr(strings.Trim(field, `"`), "unknown field")
	}
	if errors.Is(err, errRetryDelaySyntax) {
		return fieldErr("retrySchedule", errRetryDelaySyntax.Error())
	}
	if errors.Is(err, errDurationSyntax) {
		return fieldErr("destination.timeout", errDurationSyntax.Error())
	}
	return fmt.Errorf("%w: %v", ErrMalformed, err)
}

func fieldErr(field, reason string) error {
	if field == "" {
		field = "(body)"
	}
	return &ValidationError{Problems: []FieldError{{Field: field, Reason: reason}}}
}

// jsonKind names a Go kind the way a JSON user thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	default:
		return "a number"
	}
}
