package deploy

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/engagehub/engagehub/pkg/config"
)

// composeServices returns docker-compose.yml's services (YAML merge keys,
// used for the shared engagehub settings, are resolved by the decoder).
func composeServices(t *testing.T) map[string]map[string]any {
	t.Helper()
	docs := readYAMLDocs(t, composeFile)
	if len(docs) != 1 {
		t.Fatalf("%s: want one YAML document, got %d", composeFile, len(docs))
	}
	out := map[string]map[string]any{}
	for name, svc := range mapOf(docs[0]["services"]) {
		out[name] = mapOf(svc)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no services", composeFile)
	}
	return out
}

// composeEnv returns a service's environment variable names, from either
// the map or the list ("NAME=value") form.
func composeEnv(svc map[string]any) []string {
	var names []string
	switch env := svc["environment"].(type) {
	case map[string]any:
		for k := range env {
			names = append(names, k)
		}
	case []any:
		for _, e := range env {
			name, _, _ := strings.Cut(str(e), "=")
			names = append(names, name)
		}
	}
	return names
}

// strings of a compose command (list form).
func commandOf(svc map[string]any) []string {
	var out []string
	for _, a := range list(svc["command"]) {
		out = append(out, str(a))
	}
	return out
}

// flagValue returns the value after flag in args ("" if absent).
func flagValue(args []string, flag string) string {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	return args[i+1]
}

func TestComposeEnvIsConfigKeys(t *testing.T) {
	checked := 0
	for name, svc := range composeServices(t) {
		env := composeEnv(svc)
		checkEnv(t, composeFile+": service "+name, env)
		for _, e := range env {
			if strings.HasPrefix(e, envPrefix) {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatalf("%s sets no ENGAGEHUB_* variable: the test checks nothing", composeFile)
	}
}

// TestComposeMountedConfigIsConfigKeys checks the config file every
// engagehub service reads (--config, mounted from the repository).
func TestComposeMountedConfigIsConfigKeys(t *testing.T) {
	files := map[string]bool{}
	for name, svc := range composeServices(t) {
		cfg := flagValue(commandOf(svc), "--config")
		if cfg == "" {
			continue
		}
		src := mountSource(svc, cfg)
		if src == "" {
			t.Errorf("%s: service %s reads --config %s but mounts no file there", composeFile, name, cfg)
			continue
		}
		files[filepath.Join("..", src)] = true
	}
	if len(files) == 0 {
		t.Fatalf("%s: no engagehub service reads a mounted --config file", composeFile)
	}
	for f := range files {
		if n := checkConfigFile(t, f); n == 0 {
			t.Errorf("%s: no keys", f)
		}
	}
}

// mountSource returns the host path of the bind mount whose target is dst.
func mountSource(svc map[string]any, dst string) string {
	for _, v := range list(svc["volumes"]) {
		parts := strings.Split(str(v), ":")
		if len(parts) >= 2 && parts[1] == dst {
			return parts[0]
		}
	}
	return ""
}

// TestComposeRunsEveryRole checks the split the issue asks for: ingest,
// fanout, admin, two senders, and Prometheus scraping each of them.
func TestComposeRunsEveryRole(t *testing.T) {
	byRole := map[string][]string{}
	for name, svc := range composeServices(t) {
		args := commandOf(svc)
		if len(args) == 0 || args[0] != "serve" {
			continue
		}
		for _, r := range strings.Split(flagValue(args, "--roles"), ",") {
			byRole[r] = append(byRole[r], name)
		}
	}
	for _, r := range []string{"ingest", "fanout", "sender", "admin"} {
		if len(byRole[r]) == 0 {
			t.Errorf("%s: no service runs role %s", composeFile, r)
		}
	}
	if len(byRole["sender"]) < 2 {
		t.Errorf("%s: %d sender services, want 2", composeFile, len(byRole["sender"]))
	}
	prom := string(readFile(t, composePromFile))
	for _, services := range byRole {
		for _, s := range services {
			if !strings.Contains(prom, `"`+s+`:8080"`) {
				t.Errorf("%s does not scrape service %s (%s:8080)", composePromFile, s, s)
			}
		}
	}
}

func TestDockerfileEnvIsConfigKeys(t *testing.T) {
	text := string(readFile(t, dockerfile))
	var names []string
	for _, line := range strings.Split(text, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "ENV" {
			for _, kv := range f[1:] {
				name, _, _ := strings.Cut(kv, "=")
				names = append(names, name)
			}
		}
	}
	if !slices.Contains(names, "ENGAGEHUB_HTTP_LISTEN") {
		t.Errorf("%s: does not set ENGAGEHUB_HTTP_LISTEN (the default listens on 127.0.0.1 only)", dockerfile)
	}
	checkEnv(t, dockerfile, names)
	for _, want := range []string{`HEALTHCHECK`, `"/engagehub", "healthcheck"`, `USER nonroot`, `ENTRYPOINT ["/engagehub"]`, `-X main.version=`} {
		if !strings.Contains(text, want) {
			t.Errorf("%s: missing %s", dockerfile, want)
		}
	}
}

// envMention matches an ENGAGEHUB_* variable named in prose or comments.
var envMention = regexp.MustCompile(`ENGAGEHUB_[A-Z0-9_]*[A-Z0-9]`)

// notConfigKeys are ENGAGEHUB_* variables that are not config keys on purpose.
var notConfigKeys = config.OtherEnv()

// TestDocsNameRealEnvVars keeps the prose honest: every ENGAGEHUB_*
// variable the operations guide and deployment notes mention is real.
func TestDocsNameRealEnvVars(t *testing.T) {
	for _, f := range []string{operationsDoc, filepath.Join(kubernetesDir, "README.md"), composeFile, dockerfile} {
		var names []string
		for _, m := range envMention.FindAllString(string(readFile(t, f)), -1) {
			if !slices.Contains(notConfigKeys, m) {
				names = append(names, m)
			}
		}
		checkEnv(t, f, names)
	}
}
