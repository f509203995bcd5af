package subscription_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/subscription/subscriptiontest"
)

// clientCert returns a self-signed client certificate and its key, PEM.
func clientCert(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "engagehub-client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}))
}

const (
	testPassword     = "basic-password-never-shown"
	testClientSecret = "oauth-client-secret-never-shown"
)

func authSub(t *testing.T) (subscription.Subscription, string) {
	cert, key := clientCert(t)
	s := subscription.WebhookSubForTest()
	s.Destination.Auth = &subscription.Auth{
		OAuth2: &subscription.OAuth2Auth{TokenURL: "https://auth.example/token", ClientID: "engagehub", ClientSecret: testClientSecret, Scopes: []string{"hooks"}},
		MTLS:   &subscription.MTLSAuth{Certificate: cert, PrivateKey: key},
	}
	return s, key
}

func TestDestinationAuthIsSealedAndNeverShown(t *testing.T) {
	ctx := context.Background()
	topic := subscriptiontest.NewTopic()
	s := openStore(t, topic, newClock())
	in, key := authSub(t)
	got, _, err := s.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(got)
	keyLine := strings.Split(key, "\n")[1]
	for _, secret := range []string{testClientSecret, keyLine, "BEGIN CERTIFICATE"} {
		if strings.Contains(string(body), secret) {
			t.Fatalf("the subscription's JSON shows %q: %s", secret, body)
		}
		for _, r := range topic.Records() {
			if strings.Contains(string(r[1]), secret) {
				t.Fatalf("the topic holds %q in clear", secret)
			}
		}
	}
	if !strings.Contains(string(body), `"clientId":"engagehub"`) || !strings.Contains(string(body), `"subject":"CN=engagehub-client"`) {
		t.Fatalf("the JSON lacks the auth's public parts: %s", body)
	}
	full := got.DestinationAuth()
	if full.OAuth2.ClientSecret != testClientSecret || full.MTLS.PrivateKey != key {
		t.Fatal("DestinationAuth lost the secrets")
	}
	other := openStore(t, topic, newClock()) // another instance replays the sealed secrets
	if o, _ := other.Get(in.ID); o.DestinationAuth().OAuth2.ClientSecret != testClientSecret {
		t.Fatal("a replaying store did not open the sealed auth")
	}
}

func TestWritesWithoutTheAuthSecretsKeepThem(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, subscriptiontest.NewTopic(), newClock())
	in, key := authSub(t)
	created, _, _ := s.Create(ctx, in)
	patched, _, err := s.Patch(ctx, in.ID, []byte(`{"description": "no auth in this patch"}`))
	if err != nil || patched.DestinationAuth().OAuth2.ClientSecret != testClientSecret || patched.DestinationAuth().MTLS.PrivateKey != key {
		t.Fatalf("a patch without auth lost its secrets (%v)", err)
	}
	doc, _ := json.Marshal(created) // PUT of what GET showed
	sub, _ := subscription.Decode(doc)
	replaced, _, err := s.Replace(ctx, in.ID, sub)
	if err != nil || replaced.DestinationAuth().OAuth2.ClientSecret != testClientSecret {
		t.Fatalf("a PUT of the GET's body lost the secrets (%v)", err)
	}
	changed, _, err := s.Patch(ctx, in.ID, []byte(`{"destination": {"auth": {"oauth2": {"clientSecret": "rotated-secret"}, "mtls": null}}}`))
	if err != nil || changed.DestinationAuth().OAuth2.ClientSecret != "rotated-secret" || changed.DestinationAuth().MTLS != nil {
		t.Fatalf("patching the secret / removing mtls: %v %+v", err, changed.DestinationAuth())
	}
	removed, _, _ := s.Patch(ctx, in.ID, []byte(`{"destination": {"auth": null}}`))
	if removed.DestinationAuth() != nil || removed.Destination.Auth != nil {
		t.Fatal("auth: null did not remove the auth")
	}
}

func TestDestinationAuthIsValidated(t *testing.T) {
	t.Parallel()
	cert, key := clientCert(t)
	_, otherKey := clientCert(t)
	cases := []struct {
		name  string
		auth  subscription.Auth
		field string
	}{
		{"empty", subscription.Auth{}, "destination.auth"},
		{"basic without password", subscription.Auth{Basic: &subscription.BasicAuth{Username: "u"}}, "destination.auth.basic.password"},
		{"basic username with a colon", subscription.Auth{Basic: &subscription.BasicAuth{Username: "u:x", Password: "p"}}, "destination.auth.basic.username"},
		{"basic and oauth2", subscription.Auth{Basic: &subscription.BasicAuth{Username: "u", Password: "p"},
			OAuth2: &subscription.OAuth2Auth{TokenURL: "https://a.example/t", ClientID: "c", ClientSecret: "s"}}, "destination.auth"},
		{"oauth2 token URL", subscription.Auth{OAuth2: &subscription.OAuth2Auth{TokenURL: "ftp://a", ClientID: "c", ClientSecret: "s"}}, "destination.auth.oauth2.tokenUrl"},
		{"oauth2 secret", subscription.Auth{OAuth2: &subscription.OAuth2Auth{TokenURL: "https://a.example/t", ClientID: "c"}}, "destination.auth.oauth2.clientSecret"},
		{"oauth2 scope", subscription.Auth{OAuth2: &subscription.OAuth2Auth{TokenURL: "https://a.example/t", ClientID: "c", ClientSecret: "s", Scopes: []string{"a b"}}}, "destination.auth.oauth2.scopes[0]"},
		{"mtls key of another certificate", subscription.Auth{MTLS: &subscription.MTLSAuth{Certificate: cert, PrivateKey: otherKey}}, "destination.auth.mtls"},
		{"mtls valid", subscription.Auth{MTLS: &subscription.MTLSAuth{Certificate: cert, PrivateKey: key}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := subscription.WebhookSubForTest()
			s.Destination.Auth = &tc.auth
			err := subscription.Validate(s)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.field+":") {
				t.Fatalf("Validate = %v, want a problem naming %s", err, tc.field)
			}
		})
	}
}
