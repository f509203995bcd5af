// Package console is engagehub's web face: the operator console at
// /console/ and the subscriber portal at /portal/. Both are server-rendered
// html/template pages with embedded assets (no CDN, no build step, readable
// with JavaScript off; assets/live.js only refreshes the live parts).
//
// The console is a client of the operator operations (package ops): every
// button calls the same service method the admin API does, through the
// narrow Ops interface declared here; no operation lives only in a page.
//
// Sign-in exchanges the admin token for a server-side session (random id,
// HttpOnly SameSite=Strict cookie, expiry); every form carries the
// session's CSRF token and is refused without it. The portal is reached by
// a link an admin creates (POST /v1/subscriptions/{id}/portal-links): a
// signed token naming one subscription, recorded in a compacted topic so
// links hold across restarts and replicas and can be revoked. A portal
// session sees that subscription only.
package console
