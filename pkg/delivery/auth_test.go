package delivery

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/delivery/receiver"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// clientCertPEM returns a self-signed client certificate and its key.
func clientCertPEM(t *testing.T) (cert, key string, parsed *x509.Certificate) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "engagehub-sender"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ = x509.ParseCertificate(der)
	kder, _ := x509.MarshalECPrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})), parsed
}

// mtlsReceiver is a verifying receiver behind TLS that requires a client
// certificate signed by (here: equal to) client, and a sender client
// trusting the server.
func mtlsReceiver(t *testing.T, client *x509.Certificate) (*receiver.Receiver, *httptest.Server, *http.Client) {
	t.Helper()
	v, _ := webhook.NewVerifier([]webhook.Secret{testSecret}, 0, nil)
	rcv := receiver.New(receiver.Options{Verifier: v})
	srv := httptest.NewUnstartedServer(rcv)
	pool := x509.NewCertPool()
	pool.AddCert(client)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := stdLoopbackClient()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	std := c.Transport.(*http.Transport)
	std.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	c.Transport = webhook.NewFastTransport(std)
	return rcv, srv, c
}

func TestMTLSDestinationGetsTheClientCertificate(t *testing.T) {
	t.Parallel()
	cert, key, parsed := clientCertPEM(t)
	cases := []struct {
		name      string
		auth      *Auth
		delivered bool
	}{
		{"with the certificate", &Auth{ClientCert: secret.String(cert), ClientKey: secret.String(key)}, true},
		{"without it the handshake fails", nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rcv, srv, client := mtlsReceiver(t, parsed)
			b := newMemBroker()
			attempts := make(attemptChan, 100)
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			runWorker(t, testConfig(), Endpoint{URL: srv.URL, Auth: tc.auth}, Deps{Broker: b, Sink: b, Client: client, Attempts: attempts})
			a := nextAttempt(t, attempts)
			if tc.delivered {
				if a.Outcome != "delivered" || len(rcv.Arrivals()) != 1 || !rcv.Arrivals()[0].Verified {
					t.Fatalf("attempt %+v, %d arrivals; want delivered", a, len(rcv.Arrivals()))
				}
				return
			}
			if a.Outcome != "retry" || a.Class != "connection" || len(rcv.Arrivals()) != 0 {
				t.Fatalf("attempt %+v, %d arrivals; want a refused handshake (retry, connection)", a, len(rcv.Arrivals()))
			}
		})
	}
}

// tokenServer issues client-credentials tokens tok-1, tok-2, ...
type tokenServer struct {
	srv     *httptest.Server
	fetches atomic.Int32
	mu      sync.Mutex
	forms   []string
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, pw, _ := r.BasicAuth()
		ts.mu.Lock()
		ts.forms = append(ts.forms, fmt.Sprintf("%s:%s %s %s", id, pw, r.PostForm.Get("grant_type"), r.PostForm.Get("scope")))
		ts.mu.Unlock()
		n := ts.fetches.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("tok-%d", n), "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

func oauthEndpoint(url string, ts *tokenServer) Endpoint {
	return Endpoint{URL: url, Auth: &Auth{OAuth2: &OAuth2{TokenURL: ts.srv.URL + "/token", ClientID: "engagehub",
		ClientSecret: "client-secret", Scopes: []string{"hooks.write"}}}}
}

// An OAuth2 token is fetched once and reused while valid; when the
// destination answers 401 the sender fetches a fresh one once and sends
// again, within the same attempt.
func TestOAuth2TokenIsReusedAndRefreshedOnceAfterA401(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	script := func(a receiver.Arrival) (int, http.Header) {
		tok := a.Header.Get("Authorization")
		if a.MsgID == "msg_e3" && tok == "Bearer tok-1" { // e3: the token was revoked
			return http.StatusUnauthorized, nil
		}
		if tok != "Bearer tok-1" && tok != "Bearer tok-2" {
			return http.StatusForbidden, nil
		}
		return http.StatusNoContent, nil
	}
	rcv, srv := testReceiver(t, script, nil)
	b := newMemBroker()
	attempts := make(attemptChan, 100)
	for _, id := range []string{"e1", "e2", "e3"} {
		_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", id))
	}
	runWorker(t, testConfig(), oauthEndpoint(srv.URL, ts), Deps{Broker: b, Sink: b, Attempts: attempts})
	for range 3 {
		if a := nextAttempt(t, attempts); a.Outcome != "delivered" || a.Attempt != 1 {
			t.Fatalf("attempt %+v, want each event delivered at its first attempt", a)
		}
	}
	var got []string
	for _, a := range rcv.Arrivals() {
		got = append(got, a.MsgID+" "+a.Header.Get("Authorization"))
	}
	want := "msg_e1 Bearer tok-1,msg_e2 Bearer tok-1,msg_e3 Bearer tok-1,msg_e3 Bearer tok-2"
	if strings.Join(got, ",") != want {
		t.Fatalf("requests %v, want %s", got, want)
	}
	if n := ts.fetches.Load(); n != 2 {
		t.Fatalf("token fetches = %d, want 2 (one, reused, then one after the 401)", n)
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.forms[0] != "engagehub:client-secret client_credentials hooks.write" {
		t.Fatalf("token request = %q, want the client credentials grant with its scope", ts.forms[0])
	}
}

func TestOAuth2RefreshesOnlyOnceWhenThe401Persists(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	rcv, srv := testReceiver(t, statuses(http.StatusUnauthorized), nil)
	b := newMemBroker()
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, testConfig(), oauthEndpoint(srv.URL, ts), Deps{Broker: b, Sink: b})
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	assertDeadLetter(t, b, "4xx", 1)
	if n, a := ts.fetches.Load(), len(rcv.Arrivals()); n != 2 || a != 2 {
		t.Fatalf("token fetches %d, requests %d; want 2 and 2 (one refresh, not a loop)", n, a)
	}
}

// wantBasicAuth answers 204 to requests carrying hooks:s3cret, 401 to others.
func wantBasicAuth(a receiver.Arrival) (int, http.Header) {
	r := &http.Request{Header: a.Header}
	if u, p, ok := r.BasicAuth(); !ok || u != "hooks" || p != "s3cret" {
		return http.StatusUnauthorized, nil
	}
	return http.StatusNoContent, nil
}

func TestBasicAuthIsSent(t *testing.T) {
	t.Parallel()
	_, srv := testReceiver(t, wantBasicAuth, nil)
	b := newMemBroker()
	attempts := make(attemptChan, 10)
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL, Auth: &Auth{BasicUser: "hooks", BasicPassword: "s3cret"}}, Deps{Broker: b, Sink: b, Attempts: attempts})
	if a := nextAttempt(t, attempts); a.Outcome != "delivered" {
		t.Fatalf("attempt %+v, want delivered with basic auth", a)
	}
}

// Basic auth, configured or in the destination URL, arrives over every
// webhook client the sender can be built with (fasthttp is called without
// http.Client, which otherwise turns URL credentials into the header).
func TestBasicAuthIsSentByEveryClient(t *testing.T) {
	t.Parallel()
	_, srv := testReceiver(t, wantBasicAuth, nil)
	inURL := strings.Replace(srv.URL, "http://", "http://hooks:s3cret@", 1)
	for _, client := range []string{HTTPClientStd, HTTPClientFast, "pipelining"} {
		for _, ep := range []Endpoint{{URL: inURL}, {URL: srv.URL, Auth: &Auth{BasicUser: "hooks", BasicPassword: "s3cret"}}} {
			cfg := testConfig()
			cfg.HTTPClient, cfg.AllowNetworks = client, []string{"127.0.0.0/8"}
			if client == "pipelining" {
				cfg.HTTPClient, cfg.Pipelining = HTTPClientFast, 2
			}
			b := newMemBroker()
			attempts := make(attemptChan, 10)
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			_, stop := runWorker(t, cfg, ep, Deps{Broker: b, Sink: b, Attempts: attempts, Client: NewHTTPClient(cfg)})
			if a := nextAttempt(t, attempts); a.Outcome != "delivered" {
				t.Errorf("%s, credentials in the URL %v: attempt %+v, want delivered", client, ep.Auth == nil, a)
			}
			stop()
		}
	}
}

func TestTokenURLFailureRetriesAsAuth(t *testing.T) {
	t.Parallel()
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
	}))
	t.Cleanup(tokenSrv.Close)
	rcv, srv := testReceiver(t, statuses(204), nil)
	b := newMemBroker()
	attempts := make(attemptChan, 10)
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	ep := Endpoint{URL: srv.URL, Auth: &Auth{OAuth2: &OAuth2{TokenURL: tokenSrv.URL, ClientID: "x", ClientSecret: "wrong"}}}
	runWorker(t, testConfig(), ep, Deps{Broker: b, Sink: b, Attempts: attempts})
	a := nextAttempt(t, attempts)
	if a.Outcome != "retry" || a.Class != "auth" || len(rcv.Arrivals()) != 0 || strings.Contains(a.Error, "wrong") {
		t.Fatalf("attempt %+v (%d arrivals), want a retry of class auth, nothing sent, no secret in the error", a, len(rcv.Arrivals()))
	}
}
