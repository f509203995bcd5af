package deploy

import (
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// rule is one alerting rule of alerts.yml.
type rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

func alertRules(t *testing.T) []rule {
	t.Helper()
	var file struct {
		Groups []struct {
			Rules []rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(readFile(t, alertsFile), &file); err != nil {
		t.Fatalf("%s: %v", alertsFile, err)
	}
	var out []rule
	for _, g := range file.Groups {
		out = append(out, g.Rules...)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no rules", alertsFile)
	}
	return out
}

// headingSlug is GitHub's anchor for a Markdown heading.
func headingSlug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}

var headingLine = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)

func docAnchors(t *testing.T) map[string]bool {
	t.Helper()
	anchors := map[string]bool{}
	for _, m := range headingLine.FindAllStringSubmatch(string(readFile(t, operationsDoc)), -1) {
		anchors[headingSlug(m[1])] = true
	}
	return anchors
}

// TestAlertsHaveSummaryAndRunbook checks that every alert pages with a
// severity, a summary and a description, and links to a section of
// docs/operations.md that exists.
func TestAlertsHaveSummaryAndRunbook(t *testing.T) {
	anchors := docAnchors(t)
	for _, r := range alertRules(t) {
		t.Run(r.Alert, func(t *testing.T) {
			if r.Labels["severity"] != "page" && r.Labels["severity"] != "ticket" {
				t.Errorf("severity %q, want page or ticket", r.Labels["severity"])
			}
			for _, a := range []string{"summary", "description", "runbook_url"} {
				if strings.TrimSpace(r.Annotations[a]) == "" {
					t.Errorf("no %s annotation", a)
				}
			}
			doc, anchor, _ := strings.Cut(r.Annotations["runbook_url"], "#")
			if !strings.HasSuffix(doc, "/docs/operations.md") {
				t.Errorf("runbook_url %q does not point into docs/operations.md", r.Annotations["runbook_url"])
			}
			if anchor != strings.ToLower(r.Alert) || !anchors[anchor] {
				t.Errorf("runbook_url anchor %q: want #%s, a heading of %s", anchor, strings.ToLower(r.Alert), operationsDoc)
			}
		})
	}
}
