package admin

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

// schemas are the hand-written component schemas.
func schemas() map[string]any {
	str := map[string]any{"type": "string"}
	return map[string]any{
		"Error": map[string]any{
			"type": "object", "required": []string{"error"},
			"properties": map[string]any{"error": map[string]any{
				"type": "object", "required": []string{"code", "message"},
				"properties": map[string]any{"code": str, "message": map[string]any{"type": "string", "description": "names the field or condition"}},
			}},
		},
		"Destination": map[string]any{
			"type": "object", "required": []string{"type"},
			"properties": map[string]any{
				"type":    map[string]any{"enum": []string{"webhook", "kafka"}},
				"url":     map[string]any{"type": "string", "format": "uri", "description": "webhook: absolute http(s) URL"},
				"headers": map[string]any{"type": "object", "additionalProperties": str, "description": "webhook: extra request headers"},
				"timeout": map[string]any{"type": "string", "description": `webhook: Go duration, 1s..60s; default "15s"`, "examples": []string{"15s"}},
				"topic":   map[string]any{"type": "string", "description": "kafka: destination topic"},
				"format":  map[string]any{"enum": []string{"avro", "json"}, "description": "kafka: default avro"},
			},
		},
		"Subscription": map[string]any{
			"type": "object", "required": []string{"id", "eventTypes", "destination"},
			"properties": map[string]any{
				"id":          map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"},
				"description": str,
				"eventTypes":  map[string]any{"type": "array", "minItems": 1, "items": str, "description": `catalog names or patterns: "contact.*", "*"`},
				"destination": ref("Destination"),
				"ordering":    map[string]any{"enum": []string{"key", "none"}, "default": "key"},
				"rateLimit":   map[string]any{"type": "number", "minimum": 0, "description": "events/s; 0 = unlimited"},
				"maxInFlight": map[string]any{"type": "integer", "minimum": 0},
				"svixHeaders": map[string]any{"type": "boolean", "default": false},
				"filter": map[string]any{"type": "string", "maxLength": 4096, "description": "CEL expression over type, contactId, source, receivedAt, " +
					`headers and payload (typed fields; payload.unknown for fields the schema lacks), e.g. type == "point.balance.updated" && payload.balance > 1000.0; ` +
					"type-checked on save (422 naming line:column)"},
				"transform": map[string]any{"type": "string", "maxLength": 65536, "description": "webhook destinations: JavaScript function handler(webhook) " +
					"{ ... return webhook } (Svix shape: payload, eventType, url, method, headers, cancel), run before signing; tried on each subscribed type's catalog example on save"},
				"enabled":        map[string]any{"type": "boolean", "default": true},
				"createdAt":      map[string]any{"type": "string", "format": "date-time", "readOnly": true},
				"updatedAt":      map[string]any{"type": "string", "format": "date-time", "readOnly": true},
				"disabledReason": map[string]any{"type": "string", "readOnly": true},
			},
		},
		"SubscriptionWithSecret": map[string]any{"allOf": []any{ref("Subscription"), map[string]any{
			"type": "object", "properties": map[string]any{"secret": map[string]any{"type": "string", "description": "whsec_…: shown only in this response"}},
		}}},
		"SubscriptionList": map[string]any{"type": "object", "properties": map[string]any{
			"subscriptions": map[string]any{"type": "array", "items": ref("Subscription")},
		}},
		"TestFilterRequest":    tryoutRequest("filter", "the CEL expression", map[string]any{"eventTypes": map[string]any{"type": "array", "items": str, "description": "patterns to type-check against; default the event's type"}}),
		"TestTransformRequest": tryoutRequest("transform", "the script", map[string]any{"url": map[string]any{"type": "string", "description": "the destination URL the script gets; default https://receiver.example/webhook"}}),
		"TestFilterResult": map[string]any{"type": "object", "required": []string{"match", "eventType"}, "properties": map[string]any{
			"match":     map[string]any{"type": "boolean", "description": "whether fan-out would copy the event"},
			"error":     map[string]any{"type": "string", "description": "why the filter failed on this event (then match is false)"},
			"eventType": str,
		}},
		"TestTransformResult": map[string]any{"type": "object", "required": []string{"cancel"}, "properties": map[string]any{
			"cancel":  map[string]any{"type": "boolean", "description": "the script cancelled: nothing would be sent"},
			"method":  str,
			"url":     str,
			"headers": map[string]any{"type": "object", "additionalProperties": str},
			"body":    map[string]any{"description": "the JSON body the sender would sign and send"},
		}},
	}
}

// tryoutRequest is the schema of a test-filter or test-transform body.
func tryoutRequest(field, what string, extra map[string]any) map[string]any {
	str := map[string]any{"type": "string"}
	props := map[string]any{
		field:       map[string]any{"type": "string", "description": what},
		"event":     map[string]any{"type": "object", "description": "an envelope as Engage sends it; or give eventType"},
		"eventType": map[string]any{"type": "string", "description": "use this catalog type's example"},
		"source":    map[string]any{"type": "string", "description": `the event's source; default "engage"`},
		"headers":   map[string]any{"type": "object", "additionalProperties": str, "description": "filter: extra record headers; transform: the destination's headers"},
	}
	for k, v := range extra {
		props[k] = v
	}
	return map[string]any{"type": "object", "required": []string{field}, "properties": props}
}
