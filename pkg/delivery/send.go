package delivery

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// maxDrain is how much of a response body is read (and discarded) so the
// connection can be reused.
const maxDrain = 64 << 10

// Result is what one POST produced.
type Result struct {
	Status     int
	RetryAfter string
	Control    string // the receiver's webhook-delivery header (ClassifyResult)
	Err        error
	Latency    time.Duration
	// Header is the request's header as sent (not a copy: read it only);
	// nil when no request was made.
	Header http.Header
	// Body is the first MaxExcerpt bytes of the response body; Truncated
	// says there was more.
	Body      string
	Truncated bool
}

// Sender signs and POSTs webhook bodies to one endpoint. It is safe for
// concurrent use and immutable: a secret rotation builds a new one.
type Sender struct {
	client    *http.Client
	ep        Endpoint
	url       *url.URL // ep.URL parsed once; nil when it cannot be posted to
	badURL    error    // why ep.URL cannot be posted to; nil when it can
	signer    *webhook.Signer
	tokens    *tokens                // the endpoint's OAuth2 token cache; nil without OAuth2
	fast      *webhook.FastTransport // the client's transport when Send can use it directly; nil otherwise
	basicAuth string                 // the Authorization header of basic credentials; "" without them
	userAgent string
	clock     Clock
}

// NewSender returns a Sender for ep through client (shared by every sender,
// built with webhook.NewHTTPClient and the dial policy).
func NewSender(client *http.Client, ep Endpoint, userAgent string, clock Clock) (*Sender, error) {
	signer, err := webhook.NewKeySigner(ep.Secrets, ep.SigningKeys)
	if err != nil {
		return nil, fmt.Errorf("delivery: subscription %s: %w", ep.ID, err)
	}
	if clock == nil {
		clock = RealClock
	}
	s := &Sender{client: client, ep: ep, badURL: checkDestination(ep.URL), signer: signer, userAgent: userAgent, clock: clock}
	if s.badURL == nil {
		s.url, _ = url.Parse(ep.URL)
	}
	if ep.Auth != nil && ep.Auth.OAuth2 != nil {
		s.tokens = newTokens(ep.Auth.OAuth2, client)
	}
	if ep.Auth != nil && ep.Auth.BasicUser != "" {
		s.basicAuth = "Basic " + base64.StdEncoding.EncodeToString([]byte(ep.Auth.BasicUser+":"+ep.Auth.BasicPassword.Reveal()))
	}
	if fast, ok := client.Transport.(*webhook.FastTransport); ok && client.Jar == nil && client.Timeout == 0 && s.tokens == nil {
		s.fast = fast
	}
	return s, nil
}

// ErrBadDestination marks a destination URL that can never be posted to
// (unparsable, not http or https, no host): a permanent failure, so the
// event is dead-lettered rather than retried as a connection error.
var ErrBadDestination = errors.New("delivery: malformed destination URL")

// checkDestination validates raw without ever quoting it (it may carry
// credentials).
func checkDestination(raw string) error {
	u, err := url.Parse(raw)
	var ue *url.Error
	switch {
	case errors.As(err, &ue):
		return fmt.Errorf("%w: %w", ErrBadDestination, ue.Err)
	case err != nil:
		return fmt.Errorf("%w: %w", ErrBadDestination, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: scheme %q, want http or https", ErrBadDestination, u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return fmt.Errorf("%w: no host", ErrBadDestination)
	}
	return nil
}

// Send POSTs body as message msgID, signed now, within the endpoint's timeout.
// A canceled ctx yields a Result whose Err wraps ctx's error.
func (s *Sender) Send(ctx context.Context, msgID string, body []byte) Result {
	return s.SendRequest(ctx, msgID, Request{Method: http.MethodPost, URL: s.ep.URL, Headers: s.ep.Headers, Body: body})
}

// SendRequest sends r (the endpoint's request, or what its transformation
// made of it) as message msgID, signed now over r.Body, within the
// endpoint's timeout.
func (s *Sender) SendRequest(ctx context.Context, msgID string, r Request) Result {
	bad := s.badURL
	if r.URL != s.ep.URL {
		bad = checkDestination(r.URL)
	}
	if bad != nil {
		return Result{Err: bad}
	}
	if s.fast != nil {
		return s.sendFast(ctx, msgID, r)
	}
	start := s.clock.Now()
	ctx, cancel := context.WithTimeout(ctx, s.ep.Timeout)
	defer cancel()
	req, err := s.request(ctx, msgID, r, start)
	if err != nil {
		return Result{Err: err}
	}
	resp, err := s.do(req)
	if err != nil {
		return Result{Err: fmt.Errorf("delivery: post: %w", err), Latency: s.clock.Now().Sub(start), Header: req.Header}
	}
	body, more := readExcerpt(resp.Body)
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
	return Result{Status: resp.StatusCode, RetryAfter: resp.Header.Get("Retry-After"), Control: resp.Header.Get(HeaderDeliveryControl),
		Latency: s.clock.Now().Sub(start), Header: req.Header, Body: body, Truncated: more}
}

func (s *Sender) request(ctx context.Context, msgID string, r Request, ts time.Time) (*http.Request, error) {
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := s.newRequest(ctx, method, r)
	if err != nil {
		return nil, fmt.Errorf("%w: build request", ErrBadDestination)
	}
	req.Header = s.header(msgID, r, ts)
	return req, nil
}

// header is what r is sent with as message msgID, signed at ts: its own
// headers, the content type, the user agent, the trace context and the
// webhook-* (and svix-*) headers.
func (s *Sender) header(msgID string, r Request, ts time.Time) http.Header {
	h := make(http.Header, len(r.Headers)+10)
	for k, v := range r.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", s.userAgent)
	r.Trace.SetHTTP(h)
	webhook.SetHeaders(h, msgID, ts, s.signer.Sign(msgID, ts, r.Body), s.ep.SvixHeaders)
	return h
}

// newRequest builds r's request; the endpoint's own URL is not parsed
// again for every delivery (a copy of the parsed one: the transport may
// not share it between requests).
func (s *Sender) newRequest(ctx context.Context, method string, r Request) (*http.Request, error) {
	if s.url == nil || r.URL != s.ep.URL {
		return http.NewRequestWithContext(ctx, method, r.URL, bytes.NewReader(r.Body))
	}
	u := *s.url
	req, err := http.NewRequestWithContext(ctx, method, "", bytes.NewReader(r.Body))
	if err != nil {
		return nil, err
	}
	req.URL, req.Host = &u, u.Host
	return req, nil
}

// drain reads (and discards) what is left of resp's body, so the
// connection can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	_ = resp.Body.Close()
}
