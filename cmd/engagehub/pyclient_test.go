package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// requireGenerator finds openapi-python-client (from PyPI; .ci/run
// installs it). Missing, the test skips, unless CI is set: then it fails.
func requireGenerator(t *testing.T) (generator, python string) {
	t.Helper()
	gen, err := exec.LookPath("openapi-python-client")
	py, perr := exec.LookPath("python3")
	if err != nil || perr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("openapi-python-client and python3 are required in CI (pip install openapi-python-client): %v %v", err, perr)
		}
		t.Skip("openapi-python-client not installed (pip install openapi-python-client)")
	}
	return gen, py
}

// TestGeneratedPythonClientCreatesASubscriptionAndPublishes generates a
// client from the live /openapi.json with a stock generator and has it
// create a subscription and publish an event, which then arrives at the
// receiver signed with the secret the client got back.
func TestGeneratedPythonClientCreatesASubscriptionAndPublishes(t *testing.T) {
	gen, py := requireGenerator(t)
	base, _ := liveServer(t)
	rcv := newRecorder(t)
	dir := t.TempDir()
	spec := filepath.Join(dir, "openapi.json")
	resp, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err := os.WriteFile(spec, data, 0o600); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "engagehub_client")
	if out, err := exec.Command(gen, "generate", "--path", spec, "--output-path", pkg, "--meta", "none").CombinedOutput(); err != nil {
		t.Fatalf("openapi-python-client generate: %v\n%s", err, out)
	}
	out, err := exec.Command(py, "testdata/pyclient.py", dir, base, testToken, rcv.url).CombinedOutput()
	if err != nil {
		t.Fatalf("generated client: %v\n%s", err, out)
	}
	var got struct{ Secret, Topic string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("client output %q: %v", out, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(rcv.all()) == 0 && time.Now().Before(deadline) {
		<-time.After(50 * time.Millisecond)
	}
	reqs := rcv.all()
	if len(reqs) != 1 || reqs[0].header.Get("webhook-id") != "msg_py-ev-1" {
		t.Fatalf("receiver got %v, want the published event once", rcv.ids())
	}
	secret, err := webhook.ParseSecret(got.Secret)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := webhook.NewVerifier([]webhook.Secret{secret}, 0, nil)
	if _, err := v.Verify(reqs[0].header, reqs[0].body); err != nil {
		t.Fatalf("webhook not signed with the secret the client got: %v", err)
	}
}
