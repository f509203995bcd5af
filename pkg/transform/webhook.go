package transform

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/dop251/goja"
)

// Webhook is one webhook request as a transformation sees and changes it.
type Webhook struct {
	EventType string
	Method    string // "POST" (the default) or "PUT"
	URL       string
	Headers   map[string]string
	// Payload is the body: JSON.
	Payload []byte
	// Cancel means: send nothing for this event.
	Cancel bool
}

// reservedHeaders are set by engagehub; a script may not set them.
var reservedHeaders = []string{"content-type", "content-length", "host", "transfer-encoding",
	"connection", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"}

// toJS builds the webhook object the handler gets.
func (rt *instance) toJS(in Webhook) (*goja.Object, error) {
	vm := rt.vm
	payload, err := jsonValue(vm, in.Payload)
	if err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	headers := vm.NewObject()
	for _, k := range slices.Sorted(maps.Keys(in.Headers)) {
		_ = headers.Set(k, in.Headers[k])
	}
	obj := vm.NewObject()
	method := in.Method
	if method == "" {
		method = "POST"
	}
	_ = obj.Set("eventType", in.EventType)
	_ = obj.Set("method", method)
	_ = obj.Set("url", in.URL)
	_ = obj.Set("headers", headers)
	_ = obj.Set("payload", payload)
	_ = obj.Set("cancel", false)
	return obj, nil
}

// fromJS reads what the handler returned.
func (rt *instance) fromJS(v goja.Value, in Webhook, maxOutput int) (Webhook, error) {
	obj, ok := v.(*goja.Object)
	if !ok || goja.IsNull(v) {
		return Webhook{}, fmt.Errorf("handler must return the webhook object, returned %s", describe(v))
	}
	out := Webhook{EventType: in.EventType, Cancel: obj.Get("cancel") != nil && obj.Get("cancel").ToBoolean()}
	if out.Cancel {
		return out, nil
	}
	var err error
	if out.Method, err = method(obj.Get("method")); err != nil {
		return Webhook{}, err
	}
	if out.URL, err = destination(obj.Get("url")); err != nil {
		return Webhook{}, err
	}
	if out.Headers, err = headers(rt.vm, obj.Get("headers")); err != nil {
		return Webhook{}, err
	}
	out.Payload, err = rt.body(obj.Get("payload"), maxOutput)
	return out, err
}

func describe(v goja.Value) string {
	if v == nil || goja.IsUndefined(v) {
		return "undefined"
	}
	if goja.IsNull(v) {
		return "null"
	}
	return v.ExportType().String()
}

func method(v goja.Value) (string, error) {
	if v == nil || goja.IsUndefined(v) {
		return "POST", nil
	}
	m := strings.ToUpper(v.String())
	if m != "POST" && m != "PUT" {
		return "", fmt.Errorf(`webhook.method must be "POST" or "PUT", got %q`, v.String())
	}
	return m, nil
}

func destination(v goja.Value) (string, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return "", fmt.Errorf("webhook.url must be an absolute http(s) URL, got %s", describe(v))
	}
	u, err := url.Parse(v.String())
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("webhook.url must be an absolute http(s) URL")
	}
	return v.String(), nil
}

func headers(vm *goja.Runtime, v goja.Value) (map[string]string, error) {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil, nil
	}
	obj := v.ToObject(vm)
	out := map[string]string{}
	for _, k := range obj.Keys() {
		val := obj.Get(k)
		if val == nil || goja.IsUndefined(val) || goja.IsNull(val) {
			continue // a header set to null or undefined is removed
		}
		if err := checkHeader(k, val.String()); err != nil {
			return nil, err
		}
		out[k] = val.String()
	}
	return out, nil
}

func checkHeader(name, value string) error {
	lower := strings.ToLower(name)
	switch {
	case !validHeaderName(name):
		return fmt.Errorf("webhook.headers: %q is not a valid header name", name)
	case slices.Contains(reservedHeaders, lower) || strings.HasPrefix(lower, "svix-"):
		return fmt.Errorf("webhook.headers: %s is set by engagehub", name)
	case strings.ContainsAny(value, "\r\n\x00"):
		return fmt.Errorf("webhook.headers: the value of %s contains CR, LF or NUL", name)
	}
	return nil
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}

// body is JSON.stringify(payload), at most maxOutput bytes.
func (rt *instance) body(payload goja.Value, maxOutput int) ([]byte, error) {
	if payload == nil || goja.IsUndefined(payload) {
		return nil, fmt.Errorf("webhook.payload is undefined")
	}
	if out, ok := appendJSON(nil, payload, 0); ok {
		if len(out) > maxOutput {
			return nil, fmt.Errorf("%w: the body is %d bytes, more than %d", ErrOutputLimit, len(out), maxOutput)
		}
		return out, nil
	}
	s, err := rt.stringify(goja.Undefined(), payload)
	if err != nil {
		return nil, err
	}
	if goja.IsUndefined(s) {
		return nil, fmt.Errorf("webhook.payload cannot be turned into JSON")
	}
	text := s.String()
	if len(text) > maxOutput {
		return nil, fmt.Errorf("%w: the body is %d bytes, more than %d", ErrOutputLimit, len(text), maxOutput)
	}
	return []byte(text), nil
}
