package webhook

import (
	"net/http"
	"strconv"
	"time"
)

// Standard Webhooks header names, as written on the wire.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Svix's names for the same three headers; Engage sends these.
const (
	SvixHeaderID        = "svix-id"
	SvixHeaderTimestamp = "svix-timestamp"
	SvixHeaderSignature = "svix-signature"
)

// Canonical http.Header keys of the names above, so SetHeaders can assign
// map entries without canonicalising on every delivery.
const (
	keyID            = "Webhook-Id"
	keyTimestamp     = "Webhook-Timestamp"
	keySignature     = "Webhook-Signature"
	keySvixID        = "Svix-Id"
	keySvixTimestamp = "Svix-Timestamp"
	keySvixSignature = "Svix-Signature"
)

// Headers returns a new header set carrying msgID, ts (as Unix seconds) and
// signature, plus the svix-* copies when svixNames is true. ts must be the
// time that was signed.
func Headers(msgID string, ts time.Time, signature string, svixNames bool) http.Header {
	h := make(http.Header, 6)
	SetHeaders(h, msgID, ts, signature, svixNames)
	return h
}

// SetHeaders sets the webhook-* headers (and the svix-* copies when
// svixNames is true) on h, replacing any previous values.
func SetHeaders(h http.Header, msgID string, ts time.Time, signature string, svixNames bool) {
	unix := strconv.FormatInt(ts.Unix(), 10)
	// One backing array; full slice expressions keep each value separate.
	v := []string{msgID, unix, signature, msgID, unix, signature}
	h[keyID], h[keyTimestamp], h[keySignature] = v[0:1:1], v[1:2:2], v[2:3:3]
	if svixNames {
		h[keySvixID], h[keySvixTimestamp], h[keySvixSignature] = v[3:4:4], v[4:5:5], v[5:6:6]
	}
}
