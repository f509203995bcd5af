package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/config"
)

// runCLI runs the engagehub command line in-process.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err = cmd.Execute()
	return out.String(), errOut.String(), err
}

func TestConfigValidateExitsTwoNamingTheBadKey(t *testing.T) {
	t.Setenv("ENGAGEHUB_KAFKA_PARTITIONS", "0")
	t.Setenv("ENGAGEHUB_HTTP_LISTEN", "nowhere")
	out, _, err := runCLI(t, "config", "validate")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit code 2", err)
	}
	for _, key := range []string{"kafka.partitions", "http.listen"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
	if !strings.Contains(out, "partitions: 0") {
		t.Errorf("effective config not printed:\n%s", out)
	}
}

func TestConfigValidatePrintsRedactedConfig(t *testing.T) {
	t.Setenv("ENGAGEHUB_AUTH_TOKENS", "a-very-secret-token-123")
	out, _, err := runCLI(t, "config", "validate")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "a-very-secret-token-123") || !strings.Contains(out, "[redacted]") {
		t.Fatalf("token not redacted:\n%s", out)
	}
}

func TestServeRejectsUnknownRole(t *testing.T) {
	_, _, err := runCLI(t, "serve", "--roles", "ingest,teleport")
	if err == nil || !strings.Contains(err.Error(), `unknown role "teleport"`) {
		t.Fatalf("err = %v", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testConfig is a valid config on free ports with its data in dir.
func testConfig(t *testing.T, dir string) config.Config {
	t.Helper()
	t.Setenv("ENGAGEHUB_HTTP_LISTEN", freeAddr(t))
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_LISTEN", freeAddr(t))
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_DIR", dir)
	t.Setenv("ENGAGEHUB_KAFKA_PARTITIONS", "2")
	t.Setenv("ENGAGEHUB_AUTH_TOKENS", testToken)
	t.Setenv("ENGAGEHUB_AUTH_SECRET_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	t.Setenv("ENGAGEHUB_SENDER_ALLOW_NETWORKS", "127.0.0.0/8")
	cfg, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

const testToken = "test-token-0123456789"

// startApp runs an app until the returned stop is called; it waits for /readyz.
func startApp(t *testing.T, cfg config.Config, roles ...string) (a *app, stop func()) {
	t.Helper()
	if len(roles) == 0 {
		roles = allRoles
	}
	return runBuilt(t, newApp(cfg, roles, zap.NewNop()))
}

// runBuilt runs a (built by the caller) like startApp.
func runBuilt(t *testing.T, a *app) (_ *app, stop func()) {
	t.Helper()
	cfg := a.cfg
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("app stopped with %v", err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, _ := get(t, "http://"+cfg.HTTP.Listen+"/readyz")
		if status == http.StatusOK {
			return a, stop
		}
		select {
		case err := <-done:
			t.Fatalf("app exited during start: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			t.Fatal("app not ready within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func mustGet(t *testing.T, url string) string {
	t.Helper()
	status, body := get(t, url)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", url, status, body)
	}
	return body
}
