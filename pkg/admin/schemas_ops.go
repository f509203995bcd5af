package admin

import "maps"

// allSchemas are the component schemas: the subscription ones (schemas)
// and those of the delivery, catalog, ingest and operations routes.
func allSchemas() map[string]any {
	out := schemas()
	maps.Copy(out, opsSchemas())
	maps.Copy(out, portalSchemas())
	return out
}

func obj(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func arrayOf(items any) map[string]any { return map[string]any{"type": "array", "items": items} }

func typed(t, description string) map[string]any {
	m := map[string]any{"type": t}
	if description != "" {
		m["description"] = description
	}
	return m
}

func timeField(description string) map[string]any {
	m := typed("string", description)
	m["format"] = "date-time"
	return m
}

func opsSchemas() map[string]any {
	str, integer, boolean := typed("string", ""), typed("integer", ""), typed("boolean", "")
	return map[string]any{
		"SubscriptionPatch": map[string]any{"type": "object", "description": "a JSON merge patch (RFC 7396) of a Subscription: the fields to change; null removes one"},
		"Attempt": obj([]string{"subscription", "eventId", "eventType", "attempt", "latencyMs", "outcome", "class", "at"}, map[string]any{
			"subscription": str, "eventId": str, "eventType": str,
			"contactId":         typed("string", "the record key"),
			"attempt":           typed("integer", "1 for the first attempt"),
			"status":            typed("integer", "the receiver's HTTP status; absent when no answer came"),
			"latencyMs":         typed("number", ""),
			"outcome":           map[string]any{"enum": []string{"delivered", "retry", "dead_letter", "disable"}},
			"class":             typed("string", `e.g. "2xx", "5xx", "timeout", "connection"`),
			"error":             typed("string", "why no answer came (timeout, connection refused)"),
			"at":                timeField(""),
			"nextRetryAt":       timeField("outcome retry: when the event is tried again"),
			"topic":             typed("string", "the delivery topic of the copy attempted"),
			"partition":         integer,
			"offset":            integer,
			"requestHeaders":    map[string]any{"type": "object", "additionalProperties": str, "description": "as sent; signatures and credentials [redacted]"},
			"responseBody":      typed("string", "the first 4 KiB of the response body"),
			"responseTruncated": typed("boolean", "the body was longer than the excerpt"),
		}),
		"AttemptPage": obj([]string{"attempts"}, map[string]any{
			"attempts": arrayOf(ref("Attempt")),
			"next":     typed("string", "cursor of the next (older) page; absent on the last"),
		}),
		"DeadLetter": obj([]string{"eventId", "eventType", "lastStatus", "error", "attempts", "at", "partition", "offset", "redriven"}, map[string]any{
			"eventId": str, "eventType": str, "lastStatus": integer, "error": typed("string", "why it was given up on"),
			"attempts": integer, "at": timeField("when it was dead-lettered"), "partition": integer, "offset": integer,
			"redriven":   typed("boolean", "put back for delivery since"),
			"redrivenAt": timeField("when, if known"),
		}),
		"DeadLetterPage": obj([]string{"deadLetters"}, map[string]any{"deadLetters": arrayOf(ref("DeadLetter"))}),
		"RedriveRequest": obj(nil, map[string]any{
			"eventIds": map[string]any{"type": "array", "items": map[string]any{"type": "string", "minLength": 1}, "description": "redrive these events; absent or empty: all"},
			"all":      typed("boolean", "every dead letter not redriven before (the default of an empty body)"),
		}),
		"RedriveResult": obj([]string{"redriven"}, map[string]any{"redriven": typed("integer", "dead letters put back for delivery")}),
		"ReplayRequest": obj([]string{"since"}, map[string]any{
			"since": timeField("redeliver the events since this time"),
			"wait":  map[string]any{"type": "boolean", "default": true, "description": "false: answer at once with the job; follow it at …/replays/{job}"},
		}),
		"ReplayJob": obj([]string{"id", "subscription", "since", "startedAt", "done", "total", "copied", "topics", "finished"}, map[string]any{
			"id": str, "subscription": str, "since": timeField(""), "startedAt": timeField(""),
			"done":       typed("integer", "records scanned"),
			"total":      typed("integer", "records to scan (exact once every partition's start is known)"),
			"copied":     typed("integer", "records put on the delivery topic"),
			"topics":     map[string]any{"type": "object", "additionalProperties": integer, "description": "copied per event topic"},
			"finished":   boolean,
			"finishedAt": timeField(""),
			"error":      typed("string", "why it stopped, when it failed"),
		}),
		"TestResult": obj([]string{"eventId", "outcome", "class", "latencyMs"}, map[string]any{
			"eventId": str, "status": integer, "outcome": str, "class": str, "latencyMs": typed("number", ""), "error": str,
		}),
		"TracedCopy": obj([]string{"subscription", "partition", "offset", "outcome", "attempts"}, map[string]any{
			"subscription": str, "topic": str, "partition": integer, "offset": integer, "outcome": typed("string", "of the last attempt"),
			"attempts": arrayOf(ref("Attempt")),
		}),
		"TracedEvent": obj([]string{"eventId", "eventType", "topic", "copies"}, map[string]any{
			"eventId": str, "eventType": str, "contactId": str, "topic": typed("string", "the event topic"), "copies": arrayOf(ref("TracedCopy")),
		}),
		"Trace": obj([]string{"events"}, map[string]any{"events": arrayOf(ref("TracedEvent"))}),
		"EventType": obj([]string{"type", "description", "topic", "subject", "key", "required"}, map[string]any{
			"type": str, "description": str, "topic": str, "subject": typed("string", "schema registry subject"), "key": str,
			"required": arrayOf(str),
			"schema":   map[string]any{"description": "the Avro schema (GET /v1/event-types/{type} only)"},
			"example":  map[string]any{"description": "an example envelope (GET /v1/event-types/{type} only)"},
		}),
		"EventTypeList": obj([]string{"eventTypes"}, map[string]any{"eventTypes": arrayOf(ref("EventType"))}),
		"Envelope": map[string]any{"type": "object", "required": []string{"eventType", "payload"}, "description": "an event as Engage sends it; unknown fields are kept",
			"properties": map[string]any{
				"id": str, "eventId": typed("string", "Engage uses id or eventId; either is taken"), "eventType": str, "tenant": str,
				"isEncrypted": boolean, "payload": map[string]any{"type": "object"},
				"allowUnrecognized": typed("boolean", "POST /v1/events: publish a type outside the catalog raw to the unrecognized topic"),
			}},
		"Events": map[string]any{"description": "one envelope, or a batch (all or nothing)",
			"oneOf": []any{ref("Envelope"), map[string]any{"type": "array", "minItems": 1, "items": ref("Envelope")}}},
		"PublishedEvent": obj([]string{"eventId", "eventType", "topic"}, map[string]any{"eventId": str, "eventType": str, "topic": str}),
		"Published": obj([]string{"events"}, map[string]any{
			"events":    arrayOf(ref("PublishedEvent")),
			"duplicate": typed("boolean", "Engage door: the message id was seen before; nothing written"),
		}),
		"Health": obj([]string{"status"}, map[string]any{
			"status":  map[string]any{"enum": []string{"ok", "ready", "unavailable"}},
			"failing": map[string]any{"type": "object", "additionalProperties": str, "description": "readyz: failing checks and why"},
		}),
		"OpenAPIDocument": obj([]string{"openapi", "info", "paths"}, map[string]any{"openapi": str, "info": map[string]any{"type": "object"}, "paths": map[string]any{"type": "object"}}),
	}
}
