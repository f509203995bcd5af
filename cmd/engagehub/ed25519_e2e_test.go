package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// v1aRequest is one request for testdata/verify-v1a.cjs.
type v1aRequest struct {
	PublicKey       string            `json:"publicKey"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IgnoreTimestamp bool              `json:"ignoreTimestamp,omitempty"`
}

// verifyV1aWithNode fails t unless every request verifies with Node's own
// Ed25519 (OpenSSL), following the Standard Webhooks v1a rules. Without
// node the test skips, except under CI=true, where it fails.
func verifyV1aWithNode(t *testing.T, reqs []v1aRequest) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node not found (apt-get install nodejs)")
		}
		t.Skip("node not found (apt-get install nodejs)")
	}
	file := filepath.Join(t.TempDir(), "requests.json")
	data, _ := json.Marshal(reqs)
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "testdata/verify-v1a.cjs", file).CombinedOutput()
	if err != nil {
		t.Fatalf("node did not verify every request: %v\n%s", err, out)
	}
	t.Logf("node:\n%s", out)
}

// specV1aRequest is the Standard Webhooks reference libraries' v1a vector
// (its public key is that of the seed "TESTSIGNINGKEYDONOTUSETHISFORANY"),
// which the Node verifier must accept, so that it is known to check what
// the spec says.
func specV1aRequest() v1aRequest {
	return v1aRequest{PublicKey: "whpk_" + specV1aPublicKey, IgnoreTimestamp: true, Body: `{"test": 2432232314}`,
		Headers: map[string]string{"webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp": "1614265330",
			"webhook-signature": "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag=="}}
}

func (r *recorder) v1a(publicKey string) []v1aRequest {
	var out []v1aRequest
	for _, s := range r.signed("") {
		out = append(out, v1aRequest{PublicKey: publicKey, Headers: s.Headers, Body: s.Body})
	}
	return out
}

func TestEd25519SignaturesVerifyWithNodeAcrossARotation(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	rcv := newRecorder(t)
	sub, _ := json.Marshal(map[string]any{"id": "signed-ed", "eventTypes": []string{"contact.deleted"}, "signature": "ed25519",
		"destination": map[string]any{"type": "webhook", "url": rcv.url}})
	status, body := adminCall(t, http.MethodPost, base+"/v1/subscriptions", string(sub))
	var created struct{ Secret, PublicKey string }
	if status != http.StatusCreated || json.Unmarshal([]byte(body), &created) != nil || created.Secret != "" || created.PublicKey == "" {
		t.Fatalf("create = %d %s", status, body)
	}
	postEvents(t, base, `{"id":"before","eventType":"contact.deleted","payload":{"contactId":"c1"}}`)
	eventually(t, 60*time.Second, "the first event", func() bool { return slices.Contains(rcv.ids(), "msg_before") })

	status, body = adminCall(t, http.MethodPost, base+"/v1/subscriptions/signed-ed/secret/rotate", "")
	var rotated struct{ PublicKey string }
	if status != http.StatusOK || json.Unmarshal([]byte(body), &rotated) != nil || rotated.PublicKey == created.PublicKey {
		t.Fatalf("rotate = %d %s", status, body)
	}
	postEvents(t, base, `{"id":"during","eventType":"contact.deleted","payload":{"contactId":"c1"}}`)
	eventually(t, 60*time.Second, "the event after the rotation", func() bool { return slices.Contains(rcv.ids(), "msg_during") })

	reqs := rcv.all()
	if n := strings.Count(reqs[len(reqs)-1].header.Get("webhook-signature"), "v1a,"); n != 2 {
		t.Fatalf("after the rotation %d v1a signatures, want 2 (new and old key): %s", n, reqs[len(reqs)-1].header.Get("webhook-signature"))
	}
	if strings.Contains(reqs[0].header.Get("webhook-signature"), "v1,") {
		t.Fatalf("an ed25519 subscription sent an HMAC signature: %s", reqs[0].header.Get("webhook-signature"))
	}
	old := rcv.v1a(created.PublicKey)       // every request verifies with the old key (grace)
	fresh := rcv.v1a(rotated.PublicKey)[1:] // the one after the rotation with the new key
	verifyV1aWithNode(t, append(append([]v1aRequest{specV1aRequest()}, old...), fresh...))
	if _, err := exec.LookPath("node"); err == nil {
		wrong := v1aRequest{PublicKey: rotated.PublicKey, Headers: old[0].Headers, Body: old[0].Body}
		file := filepath.Join(t.TempDir(), "wrong.json")
		data, _ := json.Marshal([]v1aRequest{wrong})
		_ = os.WriteFile(file, data, 0o600)
		if out, err := exec.Command("node", "testdata/verify-v1a.cjs", file).CombinedOutput(); err == nil {
			t.Fatalf("node verified a request signed before the rotation with the new key:\n%s", out)
		}
	}
}

// specV1aPublicKey is the public key of the reference vector's seed.
const specV1aPublicKey = "ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g="
