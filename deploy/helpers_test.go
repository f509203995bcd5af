package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/engagehub/engagehub/pkg/config"
)

// Paths of the deployment files, relative to this package's directory.
const (
	composeFile      = "../docker-compose.yml"
	composePromFile  = "compose/prometheus.yml"
	dockerfile       = "Dockerfile"
	kubernetesDir    = "kubernetes"
	alertsFile       = "prometheus/alerts.yml"
	operationsDoc    = "../docs/operations.md"
	envPrefix        = "ENGAGEHUB_"
	configMountPoint = "/etc/engagehub/"
)

// configKeys returns engagehub's configuration keys (lower case, dotted) as
// a set, read from pkg/config at test time so new sections count at once.
func configKeys(t *testing.T) map[string]bool {
	t.Helper()
	keys := map[string]bool{}
	for _, k := range config.Keys() {
		keys[strings.ToLower(k)] = true
	}
	if len(keys) == 0 {
		t.Fatal("config.Keys() returned no keys")
	}
	return keys
}

// envNames maps every ENGAGEHUB_* variable engagehub reads to its key. The
// name is built from the key (keys contain '_', e.g. kafka.topic_prefix, so
// the reverse mapping would be ambiguous).
func envNames(t *testing.T) map[string]string {
	t.Helper()
	names := map[string]string{}
	for k := range configKeys(t) {
		names[envPrefix+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = k
	}
	return names
}

// checkEnv reports every ENGAGEHUB_* name in vars (by where they were set)
// that is not a configuration key.
func checkEnv(t *testing.T, where string, vars []string) {
	t.Helper()
	names := envNames(t)
	seen := map[string]bool{}
	for _, v := range vars {
		if !strings.HasPrefix(v, envPrefix) || seen[v] {
			continue
		}
		seen[v] = true
		if _, ok := names[v]; !ok && !slices.Contains(config.OtherEnv(), v) {
			t.Errorf("%s: %s is not an engagehub config key (no key k with ENGAGEHUB_+upper(k, '.'→'_') = it)", where, v)
		}
	}
}

// checkConfigFile reports every key in the YAML config file at path that
// is not a configuration key, and returns how many keys it checked.
func checkConfigFile(t *testing.T, path string) int {
	t.Helper()
	var doc map[string]any
	if err := yaml.Unmarshal(readFile(t, path), &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	keys := configKeys(t)
	leaves := flatten("", doc)
	for _, k := range leaves {
		if !keys[strings.ToLower(k)] {
			t.Errorf("%s: %s is not an engagehub config key", path, k)
		}
	}
	return len(leaves)
}

// flatten returns the dotted paths of every non-map value in m.
func flatten(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if sub, ok := v.(map[string]any); ok && len(sub) > 0 {
			out = append(out, flatten(key, sub)...)
			continue
		}
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readYAMLDocs decodes every document of a (multi-document) YAML file.
func readYAMLDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, path)))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc != nil {
			docs = append(docs, doc)
		}
	}
}

// yamlFiles lists the .yaml and .yml files directly in dir.
func yamlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, pattern := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("no YAML files in %s", dir)
	}
	return out
}

// get walks nested maps: get(doc, "spec", "template") is doc.spec.template.
func get(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
