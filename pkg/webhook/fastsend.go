package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/valyala/fasthttp"
)

// Outgoing is one request for FastTransport.Send: what RoundTrip reads from
// an *http.Request, without building one.
type Outgoing struct {
	Method   string      // "" means POST
	URL      *url.URL    // read only; not kept after Send returns
	Header   http.Header // canonical keys, as http.Header.Set makes them
	Body     []byte      // copied: the caller may reuse it when Send returns
	Deadline time.Time   // the request gives up then; zero: a minute from now
}

// Answer is a receiver's answer to Send. Its header and body are valid
// until Close, which must be called once.
type Answer struct {
	resp   *fasthttp.Response
	stream io.Reader // the streamed body; nil when it was read whole
	rest   []byte    // what is left of a body read whole
}

// Status is the answer's HTTP status code.
func (a *Answer) Status() int { return a.resp.StatusCode() }

// Header returns the value of the answer's header name ("" when absent).
func (a *Answer) Header(name string) string { return string(a.resp.Header.Peek(name)) }

// Read reads the answer's body.
func (a *Answer) Read(p []byte) (int, error) {
	if a.resp == nil {
		return 0, errors.New("webhook: read on a closed answer")
	}
	if a.stream != nil {
		return a.stream.Read(p)
	}
	if len(a.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, a.rest)
	a.rest = a.rest[n:]
	return n, nil
}

// Close releases the answer and, unless its body was left unread, its
// connection for another request.
func (a *Answer) Close() {
	if a.resp != nil {
		fasthttp.ReleaseResponse(a.resp)
		a.resp, a.stream, a.rest = nil, nil, nil
	}
}

// Send sends o as RoundTrip would send the same request made an
// *http.Request, without the conversions to and from net/http's types:
// the sender's hot path (about a tenth of its CPU at full speed, see
// docs/benchmarks.md). A canceled ctx stops nothing already sent; the
// deadline does.
func (t *FastTransport) Send(ctx context.Context, o Outgoing) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	method := o.Method
	if method == "" {
		method = http.MethodPost
	}
	req.Header.SetMethod(method)
	setURI(req, o.URL, o.URL.Host)
	setHeader(req, o.Header)
	req.SetBody(o.Body)
	deadline := o.Deadline
	if deadline.IsZero() {
		deadline = time.Now().Add(fastDefaultTimeout)
	}
	resp := fasthttp.AcquireResponse()
	if err := t.do(req, resp, deadline); err != nil {
		fasthttp.ReleaseResponse(resp)
		return nil, fastError(err)
	}
	a := &Answer{resp: resp, stream: resp.BodyStream()}
	if a.stream == nil {
		a.rest = resp.Body()
	}
	return a, nil
}

// setURI sets req's URI from u, and its Host header to host when host
// is not empty.
func setURI(req *fasthttp.Request, u *url.URL, host string) {
	uri := req.URI()
	uri.SetScheme(u.Scheme)
	uri.SetHost(u.Host)
	uri.SetPath(u.EscapedPath())
	uri.SetQueryString(u.RawQuery)
	if u.User != nil {
		uri.SetUsername(u.User.Username())
		pw, _ := u.User.Password()
		uri.SetPassword(pw)
	}
	if host != "" {
		req.UseHostHeader = true
		req.Header.SetHost(host)
	}
}

// setHeader adds h's headers to req.
func setHeader(req *fasthttp.Request, h http.Header) {
	for k, vs := range h {
		if len(vs) == 1 { // the usual case; http.Header's keys are canonical already
			req.Header.SetCanonical(s2b(k), s2b(vs[0]))
			continue
		}
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
}
