package delivery

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// Auth is how a sender authenticates to its destination: basic auth or an
// OAuth2 client-credentials token (Authorization), and a TLS client
// certificate. Its secrets print as "[redacted]".
type Auth struct {
	BasicUser     string
	BasicPassword secret.String
	OAuth2        *OAuth2
	// ClientCert and ClientKey are PEM; the worker's connection pool
	// presents them (a change rebuilds the worker).
	ClientCert, ClientKey secret.String
}

// OAuth2 is the client-credentials grant.
type OAuth2 struct {
	TokenURL     string
	ClientID     string
	ClientSecret secret.String
	Scopes       []string
}

// ErrAuth marks a failure to authenticate before sending: no token could
// be fetched. It is retried (class "auth").
var ErrAuth = errors.New("delivery: destination auth")

func (a *Auth) equal(o *Auth) bool {
	if a == nil || o == nil {
		return a == o
	}
	if a.BasicUser != o.BasicUser || a.BasicPassword != o.BasicPassword || !a.sameCert(o) || (a.OAuth2 == nil) != (o.OAuth2 == nil) {
		return false
	}
	if a.OAuth2 == nil {
		return true
	}
	x, y := a.OAuth2, o.OAuth2
	return x.TokenURL == y.TokenURL && x.ClientID == y.ClientID && x.ClientSecret == y.ClientSecret && slices.Equal(x.Scopes, y.Scopes)
}

func (a *Auth) sameCert(o *Auth) bool {
	var ac, ak, oc, ok secret.String
	if a != nil {
		ac, ak = a.ClientCert, a.ClientKey
	}
	if o != nil {
		oc, ok = o.ClientCert, o.ClientKey
	}
	return ac == oc && ak == ok
}

// withClientCert returns, for a's client certificate, a client over a
// clone of shared's transport presenting it (connections with it are the
// subscription's own); shared itself without one.
func withClientCert(shared *http.Client, a *Auth) (*http.Client, error) {
	if a == nil || a.ClientCert == "" {
		return shared, nil
	}
	cert, err := tls.X509KeyPair([]byte(a.ClientCert.Reveal()), []byte(a.ClientKey.Reveal()))
	if err != nil {
		return nil, fmt.Errorf("delivery: client certificate: %w", err)
	}
	t, fast := baseTransport(shared.Transport)
	if t == nil {
		return nil, errors.New("delivery: client certificate: the client's transport is not an *http.Transport")
	}
	t = t.Clone() // connections presenting this certificate are this subscription's alone
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		t.TLSClientConfig = t.TLSClientConfig.Clone()
	}
	t.TLSClientConfig.Certificates = []tls.Certificate{cert}
	c := *shared
	c.Transport = t
	if fast != nil {
		c.Transport = fast.Derive(t)
	}
	return &c, nil
}

// endpointClient is the client a worker for ep posts through: the shared
// one, or one of its own for a client certificate (withClientCert) or for
// pipelining over connections of its own (over the fasthttp transport;
// net/http does not pipeline, so there it is the client unchanged).
func endpointClient(shared *http.Client, ep Endpoint) (*http.Client, error) {
	c, err := withClientCert(shared, ep.Auth)
	if err != nil || ep.Pipelining <= 0 {
		return c, err
	}
	t, fast := baseTransport(c.Transport)
	if fast == nil {
		return c, nil
	}
	own := *c
	own.Transport = webhook.NewPipeliningTransport(t, ep.Pipelining, max(ep.Timeout, time.Minute))
	return &own, nil
}

// baseTransport returns the *http.Transport rt is or is made from, and rt
// when it is a webhook.FastTransport; nil for another kind.
func baseTransport(rt http.RoundTripper) (*http.Transport, *webhook.FastTransport) {
	switch t := rt.(type) {
	case *http.Transport:
		return t, nil
	case *webhook.FastTransport:
		return t.Base(), t
	}
	return nil, nil
}

// tokens caches one OAuth2 client-credentials token until it expires (less
// oauth2's 10 s margin), fetching it through the sender's client (so the
// dial policy applies to the token URL too). Concurrent callers wait for
// one fetch.
type tokens struct {
	cfg    clientcredentials.Config
	client *http.Client
	mu     sync.Mutex
	tok    *oauth2.Token
}

func newTokens(o *OAuth2, client *http.Client) *tokens {
	return &tokens{client: client, cfg: clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret.Reveal(),
		TokenURL: o.TokenURL, Scopes: o.Scopes}}
}

// token returns the cached token, fetching one within ctx when there is
// none or it expired.
func (t *tokens) token(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Valid() {
		return t.tok, nil
	}
	tok, err := t.cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, t.client))
	if err != nil {
		return nil, fmt.Errorf("%w: fetch oauth2 token: %w", ErrAuth, err)
	}
	t.tok = tok
	return tok, nil
}

// invalidate drops tok if it is still the cached one (a 401 answered it).
func (t *tokens) invalidate(tok *oauth2.Token) {
	t.mu.Lock()
	if t.tok == tok {
		t.tok = nil
	}
	t.mu.Unlock()
}

// authorize sets the Authorization header; it returns the token used, if any.
func (s *Sender) authorize(req *http.Request) (*oauth2.Token, error) {
	a := s.ep.Auth
	switch {
	case a == nil:
		return nil, nil
	case s.basicAuth != "":
		req.Header.Set("Authorization", s.basicAuth)
	case s.tokens != nil:
		tok, err := s.tokens.token(req.Context())
		if err != nil {
			return nil, err
		}
		tok.SetAuthHeader(req)
		return tok, nil
	}
	return nil, nil
}

// do sends req authorized; a 401 to a request carrying a cached OAuth2
// token drops the token and sends once more with a fresh one.
func (s *Sender) do(req *http.Request) (*http.Response, error) {
	tok, err := s.authorize(req)
	if err != nil {
		return nil, err
	}
	resp, err := s.post(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || tok == nil || req.GetBody == nil {
		return resp, err
	}
	drain(resp)
	s.tokens.invalidate(tok)
	retry := req.Clone(req.Context())
	if retry.Body, err = req.GetBody(); err != nil {
		return nil, fmt.Errorf("delivery: resend after 401: %w", err)
	}
	if _, err := s.authorize(retry); err != nil {
		return nil, err
	}
	return s.post(retry)
}

// post sends req through the client. A webhook.FastTransport is called
// directly: http.Client would add only what the sender does without — a
// copy of every request's headers kept for redirects it never follows,
// and deadline plumbing it does not use (each request's context carries
// its deadline) — 2 % of the sender's CPU at full speed.
func (s *Sender) post(req *http.Request) (*http.Response, error) {
	if fast, ok := s.client.Transport.(*webhook.FastTransport); ok && s.client.Jar == nil && s.client.Timeout == 0 {
		return fast.RoundTrip(req)
	}
	return s.client.Do(req)
}
