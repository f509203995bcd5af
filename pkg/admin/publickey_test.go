package admin

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestEd25519SubscriptionShowsItsPublicKeyNotASecret(t *testing.T) {
	srv, _ := newServer(t)
	const jsonCT = "application/json"
	body := strings.Replace(validBody, `"ordering"`, `"signature":"ed25519","ordering"`, 1)
	status, created := call(t, srv, "POST", "/v1/subscriptions", jsonCT, body)
	var c WithSecret
	_ = json.Unmarshal([]byte(created), &c)
	if status != 201 || c.Secret != "" || !strings.HasPrefix(c.PublicKey, "whpk_") || c.Signature != "ed25519" {
		t.Fatalf("create = %d %s; want a whpk_ publicKey and no secret", status, created)
	}
	status, got := call(t, srv, "GET", "/v1/subscriptions/pos-sync/public-key", "", "")
	var pk PublicKeys
	_ = json.Unmarshal([]byte(got), &pk)
	if status != 200 || pk.PublicKey != c.PublicKey || len(pk.Keys) != 1 {
		t.Fatalf("public-key = %d %s, want the created key", status, got)
	}
	status, rotated := call(t, srv, "POST", "/v1/subscriptions/pos-sync/secret/rotate", "", "")
	var r WithSecret
	_ = json.Unmarshal([]byte(rotated), &r)
	if status != 200 || r.Secret != "" || r.PublicKey == "" || r.PublicKey == c.PublicKey {
		t.Fatalf("rotate = %d %s, want a new public key", status, rotated)
	}
	_, got = call(t, srv, "GET", "/v1/subscriptions/pos-sync/public-key", "", "")
	_ = json.Unmarshal([]byte(got), &pk)
	if pk.PublicKey != r.PublicKey || len(pk.Keys) != 2 || pk.Keys[1].Key != c.PublicKey || pk.Keys[1].ExpiresAt.IsZero() {
		t.Fatalf("public-key during grace = %s, want new and old (expiring)", got)
	}
	if _, sub := call(t, srv, "GET", "/v1/subscriptions/pos-sync", "", ""); strings.Contains(sub, "whsk_") {
		t.Fatalf("GET shows the signing key: %s", sub)
	}
}

func TestHMACSubscriptionHasNoPublicKey(t *testing.T) {
	srv, _ := newServer(t)
	if status, body := call(t, srv, "POST", "/v1/subscriptions", "application/json", validBody); status != 201 || strings.Contains(body, "publicKey") {
		t.Fatalf("create = %d %s", status, body)
	}
	if status, body := call(t, srv, "GET", "/v1/subscriptions/pos-sync/public-key", "", ""); status != 404 || !strings.Contains(body, "signature") {
		t.Fatalf("public-key of an hmac subscription = %d %s, want 404 naming signature", status, body)
	}
}

func TestDestinationAuthSecretsAreNeverReturned(t *testing.T) {
	srv, _ := newServer(t)
	body := strings.Replace(validBody, `"timeout":"15s"`, `"timeout":"15s","auth":{"basic":{"username":"hooks","password":"pw-never-returned"}}`, 1)
	status, created := call(t, srv, "POST", "/v1/subscriptions", "application/json", body)
	if status != 201 || strings.Contains(created, "pw-never-returned") || !strings.Contains(created, `"username":"hooks"`) {
		t.Fatalf("create = %d %s", status, created)
	}
	for _, path := range []string{"/v1/subscriptions/pos-sync", "/v1/subscriptions"} {
		if _, got := call(t, srv, "GET", path, "", ""); strings.Contains(got, "pw-never-returned") || !strings.Contains(got, `"basic":{"username":"hooks"}`) {
			t.Fatalf("GET %s = %s", path, got)
		}
	}
	if status, got := call(t, srv, "PATCH", "/v1/subscriptions/pos-sync", "application/merge-patch+json", `{"description":"x"}`); status != 200 || strings.Contains(got, "pw-never-returned") {
		t.Fatalf("PATCH = %d %s", status, got)
	}
}
