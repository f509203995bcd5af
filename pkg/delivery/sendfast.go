package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// sendFast is SendRequest through the fast transport's own request type:
// no *http.Request, context or *http.Response per delivery, the same bytes
// on the wire. Endpoints with OAuth2 take the net/http path (a rejected
// token is fetched again and the request resent); basic credentials are a
// header like any other.
func (s *Sender) sendFast(ctx context.Context, msgID string, r Request) Result {
	target := s.url
	if r.URL != s.ep.URL {
		u, err := url.Parse(r.URL)
		if err != nil {
			return Result{Err: fmt.Errorf("%w: build request", ErrBadDestination)}
		}
		target = u
	}
	start := s.clock.Now()
	h := s.header(msgID, r, start)
	if s.basicAuth != "" {
		h.Set("Authorization", s.basicAuth)
	}
	ans, err := s.fast.Send(ctx, webhook.Outgoing{Method: r.Method, URL: target, Header: h, Body: r.Body, Deadline: s.deadline(ctx)})
	if err != nil {
		var ne net.Error
		switch {
		case ctx.Err() != nil:
			err = ctx.Err()
		case errors.As(err, &ne) && ne.Timeout():
			err = fmt.Errorf("no answer within %s: %w", s.ep.Timeout, err)
		}
		return Result{Err: fmt.Errorf("delivery: post: %w", err), Latency: s.clock.Now().Sub(start), Header: h}
	}
	defer ans.Close()
	body, more := readExcerpt(ans)
	_, _ = io.CopyN(io.Discard, ans, maxDrain)
	return Result{Status: ans.Status(), RetryAfter: ans.Header("Retry-After"), Control: ans.Header(HeaderDeliveryControl),
		Latency: s.clock.Now().Sub(start), Header: h, Body: body, Truncated: more}
}

// deadline is when a request sent now gives up: after the endpoint's
// timeout, or at ctx's deadline when that comes first. It is wall-clock
// time, whatever the Sender's clock: the connection's deadline is.
func (s *Sender) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(s.ep.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}
