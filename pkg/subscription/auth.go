package subscription

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Auth is how the sender authenticates to a webhook destination: any of
// HTTP basic auth, an OAuth2 client-credentials bearer token (not both:
// each sets Authorization) and a TLS client certificate. Its secrets
// (password, clientSecret, certificate and privateKey) are write-only:
// the Store seals them like the signing secret, and the JSON it returns
// carries every other field but none of them. A write that leaves a
// secret out keeps the stored one, so a merge patch or a PUT of a GET's
// output does not drop it.
type Auth struct {
	Basic  *BasicAuth  `json:"basic,omitempty"`
	OAuth2 *OAuth2Auth `json:"oauth2,omitempty"`
	MTLS   *MTLSAuth   `json:"mtls,omitempty"`
}

// BasicAuth is HTTP basic authentication.
type BasicAuth struct {
	Username string `json:"username"`
	Password string `json:"password,omitempty"` // write-only
}

// OAuth2Auth is the OAuth2 client-credentials grant: the sender fetches
// a token from TokenURL, caches it until it expires, and fetches a new one
// once when the destination answers 401.
type OAuth2Auth struct {
	TokenURL     string   `json:"tokenUrl"`
	ClientID     string   `json:"clientId"`
	ClientSecret string   `json:"clientSecret,omitempty"` // write-only
	Scopes       []string `json:"scopes,omitempty"`
}

// MTLSAuth is a TLS client certificate, PEM encoded.
type MTLSAuth struct {
	Certificate string `json:"certificate,omitempty"` // write-only: PEM, the chain leaf first
	PrivateKey  string `json:"privateKey,omitempty"`  // write-only: PEM
	// Subject and NotAfter describe the stored certificate (read-only).
	Subject  string    `json:"subject,omitempty"`
	NotAfter time.Time `json:"notAfter,omitzero"`
}

// authSecrets are the write-only parts of an Auth, sealed as one value.
type authSecrets struct {
	Password     string `json:"password,omitempty"`
	ClientSecret string `json:"clientSecret,omitempty"`
	Certificate  string `json:"certificate,omitempty"`
	PrivateKey   string `json:"privateKey,omitempty"`
}

// clone returns a deep copy of a (nil stays nil).
func (a *Auth) clone() *Auth {
	if a == nil {
		return nil
	}
	c := &Auth{}
	if a.Basic != nil {
		b := *a.Basic
		c.Basic = &b
	}
	if a.OAuth2 != nil {
		o := *a.OAuth2
		o.Scopes = slices.Clone(o.Scopes)
		c.OAuth2 = &o
	}
	if a.MTLS != nil {
		m := *a.MTLS
		c.MTLS = &m
	}
	return c
}

// secrets returns a's write-only parts.
func (a *Auth) secrets() authSecrets {
	var s authSecrets
	if a == nil {
		return s
	}
	if a.Basic != nil {
		s.Password = a.Basic.Password
	}
	if a.OAuth2 != nil {
		s.ClientSecret = a.OAuth2.ClientSecret
	}
	if a.MTLS != nil {
		s.Certificate, s.PrivateKey = a.MTLS.Certificate, a.MTLS.PrivateKey
	}
	return s
}

// withSecrets returns a copy of a carrying s where a has none of its own.
func (a *Auth) withSecrets(s authSecrets) *Auth {
	c := a.clone()
	if c == nil {
		return nil
	}
	if c.Basic != nil && c.Basic.Password == "" {
		c.Basic.Password = s.Password
	}
	if c.OAuth2 != nil && c.OAuth2.ClientSecret == "" {
		c.OAuth2.ClientSecret = s.ClientSecret
	}
	if c.MTLS != nil && c.MTLS.Certificate == "" && c.MTLS.PrivateKey == "" {
		c.MTLS.Certificate, c.MTLS.PrivateKey = s.Certificate, s.PrivateKey
	}
	return c
}

// redacted returns a copy of a without its write-only parts, with the
// certificate's subject and expiry instead.
func (a *Auth) redacted() *Auth {
	c := a.clone()
	if c == nil {
		return nil
	}
	if c.Basic != nil {
		c.Basic.Password = ""
	}
	if c.OAuth2 != nil {
		c.OAuth2.ClientSecret = ""
	}
	if c.MTLS != nil {
		if cert, err := leaf(c.MTLS.Certificate); err == nil {
			c.MTLS.Subject, c.MTLS.NotAfter = cert.Subject.String(), cert.NotAfter.UTC()
		}
		c.MTLS.Certificate, c.MTLS.PrivateKey = "", ""
	}
	return c
}

// leaf parses the first certificate of a PEM chain.
func leaf(chain string) (*x509.Certificate, error) {
	block, _ := pem.Decode([]byte(chain))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("no PEM CERTIFICATE block")
	}
	return x509.ParseCertificate(block.Bytes)
}

// sealAuth seals a's secrets for id; nil when it has none.
func sealAuth(c *Cipher, id string, a *Auth) ([]byte, error) {
	s := a.secrets()
	if s == (authSecrets{}) {
		return nil, nil
	}
	plain, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("subscription: seal auth of %s: %w", id, err)
	}
	return c.Seal(id, plain)
}

// openAuth decrypts sealed auth secrets of id.
func openAuth(c *Cipher, id string, sealed []byte) (authSecrets, error) {
	var s authSecrets
	if len(sealed) == 0 {
		return s, nil
	}
	plain, err := c.Open(id, sealed)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(plain, &s); err != nil {
		return s, fmt.Errorf("subscription: stored auth of %s: %w", id, err)
	}
	return s, nil
}

func validateAuth(p *problems, d Destination) {
	a := d.Auth
	if a == nil {
		return
	}
	if a.Basic == nil && a.OAuth2 == nil && a.MTLS == nil {
		p.add("destination.auth", "must set basic, oauth2 or mtls (or be absent)")
	}
	if a.Basic != nil && a.OAuth2 != nil {
		p.add("destination.auth", "basic and oauth2 both set Authorization: choose one")
	}
	for name := range d.Headers {
		if (a.Basic != nil || a.OAuth2 != nil) && strings.EqualFold(name, "authorization") {
			p.add("destination.headers."+name, "conflicts with destination.auth, which sets it")
		}
	}
	validateBasic(p, a.Basic)
	validateOAuth2(p, a.OAuth2)
	validateMTLS(p, a.MTLS)
}

func validateBasic(p *problems, b *BasicAuth) {
	switch {
	case b == nil:
	case b.Username == "" || strings.Contains(b.Username, ":") || strings.ContainsAny(b.Username, "\r\n\x00"):
		p.add("destination.auth.basic.username", "must be set, without ':' or control characters")
	case b.Password == "":
		p.add("destination.auth.basic.password", "must be set")
	}
}

func validateOAuth2(p *problems, o *OAuth2Auth) {
	if o == nil {
		return
	}
	if u, err := url.Parse(o.TokenURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.add("destination.auth.oauth2.tokenUrl", "must be an absolute http(s) URL")
	}
	if o.ClientID == "" {
		p.add("destination.auth.oauth2.clientId", "must be set")
	}
	if o.ClientSecret == "" {
		p.add("destination.auth.oauth2.clientSecret", "must be set")
	}
	for i, s := range o.Scopes {
		if s == "" || strings.ContainsAny(s, " \r\n\x00") {
			p.add(fmt.Sprintf("destination.auth.oauth2.scopes[%d]", i), "must be one scope token (no spaces)")
		}
	}
}

func validateMTLS(p *problems, m *MTLSAuth) {
	if m == nil {
		return
	}
	if _, err := tls.X509KeyPair([]byte(m.Certificate), []byte(m.PrivateKey)); err != nil {
		p.add("destination.auth.mtls", "certificate and privateKey must be a PEM certificate and its private key")
	}
}
