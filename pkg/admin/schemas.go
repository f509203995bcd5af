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
				"timeout": map[string]any{"type": "string", "description": `webhook: Go duration, 1s..60s; absent: sender.timeout (default "15s")`, "examples": []string{"15s"}},
				"pipelining": map[string]any{"type": "integer", "minimum": 0, "maximum": 64,
					"description": "webhook: pipeline requests (HTTP/1.1) over at most this many connections of the subscription's own, for a receiver that answers quickly; absent or 0: sender.pipelining (default off)"},
				"topic":  map[string]any{"type": "string", "description": "kafka: destination topic"},
				"format": map[string]any{"enum": []string{"avro", "json"}, "description": "kafka: default avro"},
				"auth": map[string]any{"type": "object", "description": "webhook: how the sender authenticates; password, clientSecret, certificate and privateKey are write-only " +
					"(sealed; never returned; a write leaving one out keeps the stored one)", "properties": map[string]any{
					"basic": map[string]any{"type": "object", "required": []string{"username"}, "properties": map[string]any{"username": str, "password": map[string]any{"type": "string", "writeOnly": true}}},
					"oauth2": map[string]any{"type": "object", "required": []string{"tokenUrl", "clientId"}, "description": "client credentials; the token is cached until it expires and fetched again once after a 401",
						"properties": map[string]any{"tokenUrl": map[string]any{"type": "string", "format": "uri"}, "clientId": str,
							"clientSecret": map[string]any{"type": "string", "writeOnly": true}, "scopes": map[string]any{"type": "array", "items": str}}},
					"mtls": map[string]any{"type": "object", "description": "TLS client certificate", "properties": map[string]any{
						"certificate": map[string]any{"type": "string", "writeOnly": true, "description": "PEM, leaf first"},
						"privateKey":  map[string]any{"type": "string", "writeOnly": true, "description": "PEM"},
						"subject":     map[string]any{"type": "string", "readOnly": true}, "notAfter": map[string]any{"type": "string", "format": "date-time", "readOnly": true}}},
				}},
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
				"maxInFlight": map[string]any{"type": "integer", "minimum": 0, "maximum": 1000, "description": "concurrent requests; 0 or absent: sender.max_in_flight"},
				"retrySchedule": map[string]any{"type": "array", "maxItems": 20, "items": map[string]any{"type": "string", "examples": []string{"5m"}},
					"description": "webhook destinations: Go durations, 0s..24h, the wait before each attempt (its length is the number of attempts); absent: sender.retry_schedule. " +
						"A delay longer than sender.memory_retry_max is rounded up to the next retry tier"},
				"svixHeaders": map[string]any{"type": "boolean", "default": false},
				"signature": map[string]any{"enum": []string{"hmac-sha256", "ed25519"}, "default": "hmac-sha256",
					"description": `webhook destinations: Standard Webhooks "v1," (HMAC-SHA256, whsec_ secret) or "v1a," (Ed25519; public key whpk_ at GET /v1/subscriptions/{id}/public-key)`},
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
			"type": "object", "properties": map[string]any{"secret": map[string]any{"type": "string", "description": "whsec_…: shown only in this response"},
				"publicKey": map[string]any{"type": "string", "description": "whpk_…: the Ed25519 public key (signature: ed25519)"}},
		}}},
		"PublicKeys": map[string]any{"type": "object", "required": []string{"publicKey", "keys"}, "properties": map[string]any{
			"publicKey": map[string]any{"type": "string", "description": "whpk_…: the current Ed25519 public key"},
			"keys": map[string]any{"type": "array", "description": "every key signing now, newest first (during a rotation's grace period the previous one too)",
				"items": map[string]any{"type": "object", "required": []string{"publicKey"}, "properties": map[string]any{
					"publicKey": str, "expiresAt": map[string]any{"type": "string", "format": "date-time", "description": "when a rotated-out key stops signing"}}}},
		}},
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
