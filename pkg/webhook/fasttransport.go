package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"
	"unsafe"

	"github.com/valyala/fasthttp"
)

// FastTransport is an http.RoundTripper over valyala/fasthttp's client,
// the sender's default (sender.http_client "fasthttp"). It exists for the
// hot path: at 64 concurrent POSTs net/http's client costs ~70–85 µs of
// CPU per request here, fasthttp's ~25, and this adapter, which keeps the
// sender's requests, auth, tracing and redirect policy on net/http's types,
// ~40–47 (docs/benchmarks.md, "The HTTP client"). The saving is net/http's
// two goroutines and channel hand-offs per connection and request.
//
// It keeps what the transport it is made from says: every connection is
// dialed through its DialContext (the dial policy: no SSRF past it), TLS
// with its TLSClientConfig (client certificates included), its per-host
// connection bound and idle timeout. It speaks HTTP/1.1 only (no HTTP/2),
// and a request's deadline is its context's: a context canceled without a
// deadline passing does not cut a request short, it ends when the receiver
// answers or the deadline passes (the sender always sets one, the
// subscription's timeout).
type FastTransport struct {
	base   *http.Transport
	client *fasthttp.Client
	pipes  *pipelines // nil: one request per connection at a time
}

// fastDefaultTimeout bounds a request whose context has no deadline.
const fastDefaultTimeout = time.Minute

// NewFastTransport returns a FastTransport with base's dialer, TLS
// configuration, per-host connection bound (0: none) and idle timeout.
func NewFastTransport(base *http.Transport) *FastTransport {
	dial := dialerOf(base)
	conns := base.MaxConnsPerHost
	if conns <= 0 {
		conns = math.MaxInt32
	}
	var tlsConfig *tls.Config
	if base.TLSClientConfig != nil {
		tlsConfig = base.TLSClientConfig.Clone()
	}
	return &FastTransport{base: base, client: &fasthttp.Client{
		DialTimeout: func(addr string, timeout time.Duration) (net.Conn, error) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			return dial(ctx, "tcp", addr)
		},
		TLSConfig:                tlsConfig,
		MaxConnsPerHost:          conns,
		MaxConnWaitTimeout:       fastDefaultTimeout,
		MaxIdleConnDuration:      idleTimeout(base),
		ConnPoolStrategy:         fasthttp.LIFO, // the warmest connection first; the rest idle out
		StreamResponseBody:       true,          // a huge response body is read only as far as the caller reads it
		NoDefaultUserAgentHeader: true,
		DisablePathNormalizing:   true, // the path goes out as the subscription wrote it
		RetryIfErr:               retryStaleConnection,
	}}
}

// dialerOf is t's DialContext, or a plain dialer with DialTimeout.
func dialerOf(t *http.Transport) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if t.DialContext != nil {
		return t.DialContext
	}
	return (&net.Dialer{Timeout: DialTimeout}).DialContext
}

func idleTimeout(t *http.Transport) time.Duration {
	if t.IdleConnTimeout > 0 {
		return t.IdleConnTimeout
	}
	return 90 * time.Second
}

// retryStaleConnection sends a request again, once, when a kept-alive
// connection turned out closed by the receiver before any answer (as
// net/http does for a request it could not have delivered). Webhooks are
// at-least-once with a stable webhook-id, so the rare receiver that acted
// on the first copy and then dropped the connection sees a duplicate it can
// recognise.
func retryStaleConnection(_ *fasthttp.Request, attempts int, err error) (resetTimeout, retry bool) {
	return false, attempts < 2 && (errors.Is(err, fasthttp.ErrConnectionClosed) || errors.Is(err, io.EOF))
}

// NewPipeliningTransport is NewFastTransport pipelining requests (HTTP/1.1)
// over at most conns connections per host, each request's answer awaited
// for at most readTimeout. Requests that would wait for a connection go
// out together in one write; a slow answer holds up the ones behind it on
// its connection, so it suits receivers that answer quickly.
func NewPipeliningTransport(base *http.Transport, conns int, readTimeout time.Duration) *FastTransport {
	t := NewFastTransport(base)
	dial := dialerOf(base)
	t.pipes = newPipelines(conns, dial, t.client.TLSConfig, idleTimeout(base), readTimeout)
	return t
}

// Derive returns a transport like t (pipelining or not) over base, another
// dialer or TLS configuration; it shares no connections with t.
func (t *FastTransport) Derive(base *http.Transport) *FastTransport {
	if t.pipes == nil {
		return NewFastTransport(base)
	}
	return NewPipeliningTransport(base, t.pipes.conns, t.pipes.readTimeout)
}

// Base returns the transport t was made from (clone it to derive another).
func (t *FastTransport) Base() *http.Transport { return t.base }

// CloseIdleConnections closes the connections not in use (http.Client's
// CloseIdleConnections calls it).
func (t *FastTransport) CloseIdleConnections() { t.client.CloseIdleConnections() }

// RoundTrip implements http.RoundTripper. The response body must be
// closed, as with any transport: closing it returns the connection (or,
// when the body was not read to its end, closes it).
func (t *FastTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		defer r.Body.Close()
	}
	ctx := r.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	if err := fill(req, r); err != nil {
		return nil, err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(fastDefaultTimeout)
	}
	resp := fasthttp.AcquireResponse()
	if err := t.do(req, resp, deadline); err != nil {
		fasthttp.ReleaseResponse(resp)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fastError(err)
	}
	return response(r, resp), nil
}

func (t *FastTransport) do(req *fasthttp.Request, resp *fasthttp.Response, deadline time.Time) error {
	if t.pipes != nil {
		return t.pipes.doDeadline(req, resp, deadline)
	}
	return t.client.DoDeadline(req, resp, deadline)
}

// fill copies r into req.
func fill(req *fasthttp.Request, r *http.Request) error {
	req.Header.SetMethod(r.Method)
	setURI(req, r.URL, r.Host)
	setHeader(req, r.Header)
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	if _, err := io.Copy(req.BodyWriter(), r.Body); err != nil {
		return fmt.Errorf("webhook: read request body: %w", err)
	}
	return nil
}

// fastError makes fasthttp's timeout recognisable as one (net.Error with
// Timeout true, like net/http's).
func fastError(err error) error {
	if errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) {
		return &timeoutError{err: err}
	}
	return err
}

type timeoutError struct{ err error }

func (e *timeoutError) Error() string   { return e.err.Error() }
func (e *timeoutError) Unwrap() error   { return e.err }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

// response makes resp an *http.Response for r; its body releases resp.
func response(r *http.Request, resp *fasthttp.Response) *http.Response {
	h := make(http.Header, 4)
	for k, v := range resp.Header.All() {
		h.Add(string(k), string(v))
	}
	var body io.Reader = resp.BodyStream()
	if body == nil {
		body = bytes.NewReader(resp.Body())
	}
	code, length := resp.StatusCode(), int64(resp.Header.ContentLength())
	if length < 0 {
		length = -1 // unknown, as net/http says it
	}
	return &http.Response{Status: strconv.Itoa(code) + " " + http.StatusText(code), StatusCode: code,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, ContentLength: length,
		Body: &fastBody{r: body, resp: resp}, Request: r}
}

// fastBody is a response body; Close releases the fasthttp response (and
// with it the connection) once.
type fastBody struct {
	r    io.Reader
	resp *fasthttp.Response
}

func (b *fastBody) Read(p []byte) (int, error) {
	if b.resp == nil {
		return 0, errors.New("webhook: read on a closed response body")
	}
	return b.r.Read(p)
}

func (b *fastBody) Close() error {
	if b.resp != nil {
		fasthttp.ReleaseResponse(b.resp)
		b.resp = nil
	}
	return nil
}

// s2b views s as bytes without copying, for fasthttp's byte-slice setters,
// which copy what they are given.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
