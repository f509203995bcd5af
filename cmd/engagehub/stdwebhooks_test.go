package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// standardWebhooksVersion is the npm package the signatures are checked with.
const standardWebhooksVersion = "standardwebhooks@1.1.1"

// requireStandardWebhooks installs Standard Webhooks' JavaScript library
// (npm "standardwebhooks") once into the user cache and returns its
// node_modules. Without node, npm or the registry the test skips, except
// under CI=true, where it fails.
func requireStandardWebhooks(t *testing.T) string {
	t.Helper()
	fail := func(msg string, args ...any) {
		t.Helper()
		if os.Getenv("CI") != "" {
			t.Fatalf("standardwebhooks: "+msg, args...)
		}
		t.Skipf("standardwebhooks: "+msg, args...)
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			fail("%s not found (apt-get install nodejs npm)", tool)
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	prefix := filepath.Join(cache, "engagehub", "npm-"+standardWebhooksVersion)
	modules := filepath.Join(prefix, "node_modules")
	if _, err := os.Stat(filepath.Join(modules, "standardwebhooks", "package.json")); err == nil {
		return modules
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", standardWebhooksVersion).CombinedOutput()
	if err != nil {
		fail("npm install %s: %v\n%s", standardWebhooksVersion, err, out)
	}
	return modules
}

// signedRequest is one webhook request as it arrived, for verification.
type signedRequest struct {
	Secret  string            `json:"secret"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// verifyWithStandardWebhooks fails t unless every request verifies with
// the stock library.
func verifyWithStandardWebhooks(t *testing.T, reqs []signedRequest) {
	t.Helper()
	modules := requireStandardWebhooks(t)
	file := filepath.Join(t.TempDir(), "requests.json")
	data, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", "testdata/verify-standardwebhooks.cjs", file)
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("standardwebhooks did not verify every request: %v\n%s", err, out)
	}
	t.Logf("standardwebhooks:\n%s", out)
}
