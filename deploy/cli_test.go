package deploy

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run runs the binary to completion (at most timeout) and returns its
// combined output and exit code (-1 when it did not exit in time).
func run(t *testing.T, env map[string]string, timeout time.Duration, args ...string) (string, int) {
	t.Helper()
	bin := engagehubBinary(t) // built (once) before the clock starts
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv(env)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return string(out), -1
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// placeholderSecrets stand in for the Secret / environment values the
// deployment files leave out of their config files.
var placeholderSecrets = map[string]string{
	"ENGAGEHUB_AUTH_TOKENS":                  "placeholder-token-0123456789",
	"ENGAGEHUB_AUTH_SECRET_KEY":              "ZGVwbG95LXRlc3Qtc2VjcmV0LWtleS0zMi1ieXRlcyE=",
	"ENGAGEHUB_INGEST_ENGAGE_SECRETS":        "whsec_ZGVwbG95LXRlc3QtZW5nYWdlLXNlY3JldA==",
	"ENGAGEHUB_KAFKA_SECURITY_SASL_PASSWORD": "placeholder",
}

// TestDeployConfigFilesValidate runs `engagehub config validate` on every
// config file the deployments mount: not only the keys, the values too.
func TestDeployConfigFilesValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds engagehub; skipped with -short")
	}
	files := []string{"compose/engagehub.yaml"}
	for _, f := range readKustomization(t).configFiles {
		files = append(files, filepath.Join(kubernetesDir, f))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			out, code := run(t, placeholderSecrets, 30*time.Second, "config", "validate", "--config", f)
			if code != 0 {
				t.Errorf("engagehub config validate --config %s: exit %d\n%s", f, code, out)
			}
		})
	}
}

// TestHealthcheckCommand checks the Dockerfile's HEALTHCHECK: exit 0 while
// engagehub answers, non-zero when nothing listens.
func TestHealthcheckCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs engagehub; skipped with -short")
	}
	httpAddr := freeAddr(t)
	p := start(t, map[string]string{
		"ENGAGEHUB_HTTP_LISTEN":           httpAddr,
		"ENGAGEHUB_KAFKA_EMBEDDED_LISTEN": freeAddr(t),
		"ENGAGEHUB_KAFKA_EMBEDDED_DIR":    filepath.Join(t.TempDir(), "kafka"),
		"ENGAGEHUB_AUTH_TOKENS":           "placeholder-token-0123456789",
		"ENGAGEHUB_AUTH_SECRET_KEY":       placeholderSecrets["ENGAGEHUB_AUTH_SECRET_KEY"],
	}, "serve")
	p.waitReady(t, "http://"+httpAddr+"/healthz", 60*time.Second)
	if out, code := run(t, nil, 10*time.Second, "healthcheck", "--url", "http://"+httpAddr+"/healthz"); code != 0 {
		t.Errorf("healthcheck against a running engagehub: exit %d\n%s", code, out)
	}
	if out, code := run(t, nil, 10*time.Second, "healthcheck", "--url", "http://"+freeAddr(t)+"/healthz"); code == 0 {
		t.Errorf("healthcheck against a closed port: exit 0\n%s", out)
	}
}

// TestDeployCommandsExist checks every subcommand and flag the deployment
// files run (compose commands, the HEALTHCHECK, the receiver).
func TestDeployCommandsExist(t *testing.T) {
	if testing.Short() {
		t.Skip("builds engagehub; skipped with -short")
	}
	want := map[string][]string{
		"serve":       {"--roles", "--config"},
		"healthcheck": {"--url"},
		"receive":     {"--listen", "ENGAGEHUB_RECEIVE_SECRET"},
	}
	for cmd, flags := range want {
		out, code := run(t, nil, 10*time.Second, cmd, "--help")
		if code != 0 {
			t.Errorf("engagehub %s --help: exit %d (docker-compose.yml or the Dockerfile runs it)\n%s", cmd, code, out)
			continue
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("engagehub %s has no %s flag (used by the deployment files)", cmd, f)
			}
		}
	}
}

// TestWrongKafkaPasswordFailsStartUp starts engagehub against the embedded
// broker requiring SASL/SCRAM-SHA-256 with the wrong password: it must exit
// non-zero, saying authentication failed, never become ready.
func TestWrongKafkaPasswordFailsStartUp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs engagehub; skipped with -short")
	}
	env := map[string]string{
		"ENGAGEHUB_HTTP_LISTEN":                   freeAddr(t),
		"ENGAGEHUB_KAFKA_EMBEDDED_LISTEN":         freeAddr(t),
		"ENGAGEHUB_KAFKA_EMBEDDED_DIR":            filepath.Join(t.TempDir(), "kafka"),
		"ENGAGEHUB_AUTH_TOKENS":                   "placeholder-token-0123456789",
		"ENGAGEHUB_AUTH_SECRET_KEY":               placeholderSecrets["ENGAGEHUB_AUTH_SECRET_KEY"],
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_MECHANISM": "SCRAM-SHA-256",
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_USERNAME":  "engagehub",
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_PASSWORD":  "right-password",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_MECHANISM": "SCRAM-SHA-256",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_USERNAME":  "engagehub",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_PASSWORD":  "wrong-password",
	}
	began := time.Now()
	out, code := run(t, env, 90*time.Second, "serve")
	took := time.Since(began).Round(time.Second)
	switch {
	case code == -1:
		t.Fatalf("engagehub with a wrong Kafka password was still running after 90s\n%s", tailLines(out, 20))
	case code == 0:
		t.Fatalf("engagehub with a wrong Kafka password exited 0\n%s", tailLines(out, 20))
	}
	if !strings.Contains(out, "authentication failed") || !strings.Contains(out, "SCRAM-SHA-256") {
		t.Errorf("exit %d after %s, but the output does not say SCRAM-SHA-256 authentication failed:\n%s", code, took, tailLines(out, 20))
	}
	if strings.Contains(out, "wrong-password") {
		t.Errorf("the output leaks the password:\n%s", tailLines(out, 20))
	}
	t.Logf("failed start-up after %s (exit %d)", took, code)
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
