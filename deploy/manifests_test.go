package deploy

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var roles = []string{"ingest", "fanout", "sender", "admin"}

// kustomization is the parts of kustomization.yaml the tests read.
type kustomization struct {
	resources   []string
	configFiles []string // configMapGenerator files: engagehub config files
}

func readKustomization(t *testing.T) kustomization {
	t.Helper()
	path := filepath.Join(kubernetesDir, "kustomization.yaml")
	docs := readYAMLDocs(t, path)
	if len(docs) != 1 {
		t.Fatalf("%s: want one document", path)
	}
	var k kustomization
	for _, r := range list(docs[0]["resources"]) {
		k.resources = append(k.resources, str(r))
	}
	for _, g := range list(docs[0]["configMapGenerator"]) {
		for _, f := range list(get(g, "files")) {
			_, file, found := strings.Cut(str(f), "=") // "key=path" or "path"
			if !found {
				file = str(f)
			}
			k.configFiles = append(k.configFiles, file)
		}
	}
	return k
}

// manifests returns every Kubernetes object in the kustomization's
// resources, and fails on a YAML file in the folder that is not listed.
func manifests(t *testing.T) []map[string]any {
	t.Helper()
	k := readKustomization(t)
	var objs []map[string]any
	for _, r := range k.resources {
		for _, doc := range readYAMLDocs(t, filepath.Join(kubernetesDir, r)) {
			if str(doc["apiVersion"]) == "" || str(doc["kind"]) == "" {
				t.Errorf("%s: a document without apiVersion and kind", r)
				continue
			}
			objs = append(objs, doc)
		}
	}
	for _, f := range yamlFiles(t, kubernetesDir) {
		base := filepath.Base(f)
		if base != "kustomization.yaml" && !slices.Contains(k.resources, base) && !slices.Contains(k.configFiles, base) {
			t.Errorf("%s is neither a kustomization resource nor a generated config file", f)
		}
	}
	return objs
}

func objectsOf(objs []map[string]any, kind string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range objs {
		if str(o["kind"]) == kind {
			out[str(get(o, "metadata", "name"))] = o
		}
	}
	return out
}

func containers(deploy map[string]any) []map[string]any {
	var out []map[string]any
	for _, c := range list(get(deploy, "spec", "template", "spec", "containers")) {
		out = append(out, mapOf(c))
	}
	return out
}

func TestKubernetesEnvIsConfigKeys(t *testing.T) {
	objs := manifests(t)
	secrets := objectsOf(objs, "Secret")
	configMaps := objectsOf(objs, "ConfigMap")
	checked := 0
	for name, d := range objectsOf(objs, "Deployment") {
		for _, c := range containers(d) {
			var env []string
			for _, e := range list(c["env"]) {
				env = append(env, str(get(e, "name")))
			}
			for _, from := range list(c["envFrom"]) {
				env = append(env, envFromKeys(t, name, from, secrets, configMaps)...)
			}
			checkEnv(t, "Deployment "+name, env)
			checked += len(env)
		}
	}
	if checked == 0 {
		t.Fatal("no Deployment sets an environment variable: the test checks nothing")
	}
	for _, f := range readKustomization(t).configFiles {
		if n := checkConfigFile(t, filepath.Join(kubernetesDir, f)); n == 0 {
			t.Errorf("%s: no keys", f)
		}
	}
}

// envFromKeys returns the variables an envFrom entry imports: every key of
// the named Secret or ConfigMap, each of which must be an ENGAGEHUB_* name.
func envFromKeys(t *testing.T, deploy string, from any, secrets, configMaps map[string]map[string]any) []string {
	t.Helper()
	src, ref := secrets, str(get(from, "secretRef", "name"))
	if ref == "" {
		src, ref = configMaps, str(get(from, "configMapRef", "name"))
	}
	obj, ok := src[ref]
	if !ok {
		t.Errorf("Deployment %s: envFrom %q is not in the manifests", deploy, ref)
		return nil
	}
	var keys []string
	for _, field := range []string{"data", "stringData"} {
		for k := range mapOf(obj[field]) {
			if !strings.HasPrefix(k, envPrefix) {
				t.Errorf("%s: key %s is imported as an environment variable but is not ENGAGEHUB_*", ref, k)
			}
			keys = append(keys, k)
		}
	}
	return keys
}

func TestKubernetesDeploymentsAreProductionShaped(t *testing.T) {
	objs := manifests(t)
	deployments := objectsOf(objs, "Deployment")
	for _, role := range roles {
		t.Run(role, func(t *testing.T) {
			d, ok := deployments["engagehub-"+role]
			if !ok {
				t.Fatalf("no Deployment engagehub-%s", role)
			}
			cs := containers(d)
			if len(cs) != 1 {
				t.Fatalf("want one container, got %d", len(cs))
			}
			checkContainer(t, role, cs[0])
			if get(d, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true {
				t.Error("pod securityContext.runAsNonRoot is not true")
			}
			labels := mapOf(get(d, "spec", "template", "metadata", "labels"))
			if !hasPDB(objs, labels) {
				t.Error("no PodDisruptionBudget selects its pods")
			}
		})
	}
}

func checkContainer(t *testing.T, role string, c map[string]any) {
	t.Helper()
	var args []string
	for _, a := range list(c["args"]) {
		args = append(args, str(a))
	}
	if flagValue(args, "--roles") != role {
		t.Errorf("args %v do not run --roles %s", args, role)
	}
	if cfg := flagValue(args, "--config"); !strings.HasPrefix(cfg, configMountPoint) {
		t.Errorf("--config %q is not under the config mount %s", cfg, configMountPoint)
	}
	probes := map[string]string{"readinessProbe": "/readyz", "livenessProbe": "/healthz"}
	for probe, path := range probes {
		if got := str(get(c, probe, "httpGet", "path")); got != path {
			t.Errorf("%s path = %q, want %s", probe, got, path)
		}
	}
	for _, r := range []string{"requests.cpu", "requests.memory", "limits.memory"} {
		kind, res, _ := strings.Cut(r, ".")
		if str(get(c, "resources", kind, res)) == "" {
			t.Errorf("resources.%s is not set", r)
		}
	}
	sc := mapOf(c["securityContext"])
	if sc["readOnlyRootFilesystem"] != true || sc["allowPrivilegeEscalation"] != false {
		t.Errorf("securityContext %v: want readOnlyRootFilesystem true and allowPrivilegeEscalation false", sc)
	}
	mounted := false
	for _, m := range list(c["volumeMounts"]) {
		mounted = mounted || str(get(m, "mountPath"))+"/" == configMountPoint
	}
	if !mounted {
		t.Errorf("nothing is mounted at %s", configMountPoint)
	}
}

// hasPDB reports whether a PodDisruptionBudget selects pods with labels.
func hasPDB(objs []map[string]any, labels map[string]any) bool {
	for _, pdb := range objectsOf(objs, "PodDisruptionBudget") {
		if selects(mapOf(get(pdb, "spec", "selector", "matchLabels")), labels) {
			return true
		}
	}
	return false
}

// selects reports whether a non-empty selector matches labels.
func selects(selector, labels map[string]any) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if str(labels[k]) != str(v) {
			return false
		}
	}
	return true
}

func TestKubernetesServicesReachIngestAndAdmin(t *testing.T) {
	objs := manifests(t)
	deployments := objectsOf(objs, "Deployment")
	services := objectsOf(objs, "Service")
	for _, role := range []string{"ingest", "admin"} {
		svc, ok := services["engagehub-"+role]
		if !ok {
			t.Errorf("no Service engagehub-%s", role)
			continue
		}
		labels := mapOf(get(deployments["engagehub-"+role], "spec", "template", "metadata", "labels"))
		if !selects(mapOf(get(svc, "spec", "selector")), labels) {
			t.Errorf("Service engagehub-%s does not select the %s pods", role, role)
		}
	}
}
