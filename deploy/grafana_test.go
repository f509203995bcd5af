package deploy

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

const dashboardFile = "grafana/engagehub.json"

// dashboardPanel is what the checks read of a Grafana panel.
type dashboardPanel struct {
	ID      int              `json:"id"`
	Type    string           `json:"type"`
	Title   string           `json:"title"`
	Panels  []dashboardPanel `json:"panels"` // a row's, when collapsed
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

type dashboard struct {
	UID        string           `json:"uid"`
	Panels     []dashboardPanel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

func readDashboard(t *testing.T) dashboard {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal(readFile(t, dashboardFile), &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("%s: no uid or no panels", dashboardFile)
	}
	return d
}

// graphs are the dashboard's panels that are not rows, nested ones included.
func (d dashboard) graphs() []dashboardPanel {
	var out []dashboardPanel
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			if p.Type != "row" {
				out = append(out, p)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// exprs are every PromQL expression: the panels' and the variables' queries.
func (d dashboard) exprs() map[string]string {
	out := map[string]string{}
	for _, p := range d.graphs() {
		for i, tg := range p.Targets {
			out[p.Title+" #"+string(rune('A'+i))] = tg.Expr
		}
	}
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok {
			out["variable "+v.Name], _ = q["query"].(string)
		}
	}
	return out
}

var (
	selector = regexp.MustCompile(`\b(engagehub_[a-z0-9_]*[a-z0-9])\{([^}]*)\}`)
	matcher  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)`)
	grouping = regexp.MustCompile(`\b(?:by|without)\s*\(([^)]*)\)`)
	labelArg = regexp.MustCompile(`label_values\(\s*engagehub_[a-z0-9_]+\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)`)
)

// TestDashboardQueriesNameOnlyDocumentedMetricsAndLabels checks every
// expression of the Grafana dashboard against docs/metrics.md (which
// TestMetricsReferenceListsEveryExportedSeries checks against a running
// engagehub): each metric exists (a histogram's _bucket, _sum and _count
// count as it), each label it selects on, groups by or lists is one of
// that metric's labels (le for buckets).
func TestDashboardQueriesNameOnlyDocumentedMetricsAndLabels(t *testing.T) {
	t.Parallel()
	doc := documented(t)
	exprs := readDashboard(t).exprs()
	for where, expr := range exprs {
		if expr == "" {
			t.Errorf("%s: empty expression", where)
			continue
		}
		labels, ok := exprLabels(t, where, expr, doc)
		if !ok {
			continue
		}
		for _, sel := range selector.FindAllStringSubmatch(expr, -1) {
			checkLabels(t, where, sel[1], matcherNames(sel[2]), labels)
		}
		for _, g := range grouping.FindAllStringSubmatch(expr, -1) {
			checkLabels(t, where, "by/without", strings.Split(g[1], ","), labels)
		}
		for _, l := range labelArg.FindAllStringSubmatch(expr, -1) {
			checkLabels(t, where, "label_values", []string{l[1]}, labels)
		}
	}
}

// exprLabels resolves the metrics expr names against doc and returns the
// labels they carry (le when a bucket is read); ok is false after
// reporting an unknown metric.
func exprLabels(t *testing.T, where, expr string, doc map[string]family) (map[string]bool, bool) {
	t.Helper()
	names := metricRef.FindAllString(expr, -1)
	if len(names) == 0 {
		t.Errorf("%s: %q names no engagehub_* metric", where, expr)
		return nil, false
	}
	labels, ok := map[string]bool{}, true
	for _, n := range names {
		f, found := doc[n]
		if base := strings.TrimSuffix(n, "_bucket"); !found && base != n && doc[base].typ == "histogram" {
			f, found = doc[base], true
			labels["le"] = true
		}
		for _, suffix := range []string{"_sum", "_count"} {
			if base := strings.TrimSuffix(n, suffix); !found && base != n && doc[base].typ == "histogram" {
				f, found = doc[base], true
			}
		}
		if !found {
			t.Errorf("%s: %s is not a metric engagehub exports (%s)", where, n, metricsDoc)
			ok = false
		}
		for _, l := range f.labels {
			labels[l] = true
		}
	}
	return labels, ok
}

func matcherNames(body string) []string {
	var out []string
	for _, m := range matcher.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func checkLabels(t *testing.T, where, what string, names []string, have map[string]bool) {
	t.Helper()
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && n != "__name__" && !have[n] {
			t.Errorf("%s: %s uses label %q, which none of its metrics has", where, what, n)
		}
	}
}

// TestDashboardShowsWhatOnCallLooksAt: the panels the issue asks for are
// there, each with a query, with unique ids.
func TestDashboardShowsWhatOnCallLooksAt(t *testing.T) {
	t.Parallel()
	d := readDashboard(t)
	titles, ids := map[string]bool{}, map[int]bool{}
	for _, p := range d.graphs() {
		titles[strings.ToLower(p.Title)] = true
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
	}
	for _, want := range []string{"deliveries / s", "failures / s", "success %", "sender lag (records)", "fan-out lag (records)",
		"p99 attempt latency", "circuit state", "ingest events / s", "ingest 503s / s", "fan-out events / s"} {
		if !titles[want] {
			t.Errorf("no panel titled %q", want)
		}
	}
}
