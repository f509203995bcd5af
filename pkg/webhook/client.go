package webhook

import (
	"crypto/tls"
	"net/http"
	"time"
)

// DefaultMaxConnsPerHost is the per-receiver connection limit used when
// NewTransport or NewHTTPClient is given none.
const DefaultMaxConnsPerHost = 64

// NewTransport returns an http.Transport for webhook delivery: every
// connection dialed through policy, HTTP/1.1 and HTTP/2, no proxy (a proxy
// would dial on our behalf, past the policy), and keep-alive pools sized so
// that maxConnsPerHost concurrent deliveries to one receiver reuse their
// connections instead of churning them. maxConnsPerHost ≤ 0 means
// DefaultMaxConnsPerHost.
func NewTransport(policy DialPolicy, maxConnsPerHost int) *http.Transport {
	if maxConnsPerHost <= 0 {
		maxConnsPerHost = DefaultMaxConnsPerHost
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           policy.DialContext,
		Protocols:             &protocols,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		MaxConnsPerHost:       maxConnsPerHost,
		MaxIdleConnsPerHost:   maxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// NewHTTPClient returns a client over NewTransport(policy, maxConnsPerHost)
// that gives up on a request after timeout (0: never) and never follows
// redirects: a 3xx is the receiver's answer, and following it could lead
// the request somewhere the subscription never named.
func NewHTTPClient(policy DialPolicy, timeout time.Duration, maxConnsPerHost int) *http.Client {
	return &http.Client{
		Transport:     NewTransport(policy, maxConnsPerHost),
		Timeout:       timeout,
		CheckRedirect: noRedirects,
	}
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
