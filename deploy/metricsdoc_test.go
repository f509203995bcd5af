package deploy

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/engagehub/engagehub/pkg/kafka"
)

const metricsDoc = "../docs/metrics.md"

// family is one metric family: its type and label names (histograms
// without le), as documented or as exported.
type family struct {
	typ    string
	labels []string
}

func (f family) String() string { return f.typ + " {" + strings.Join(f.labels, ", ") + "}" }

// docRow matches a row of the reference: | `name` | type | `l1`, `l2` (or —) | meaning |
var docRow = regexp.MustCompile("^\\| `(engagehub_[a-z0-9_]+)` \\| ([a-z]+) \\| ([^|]*) \\|")

// documented returns the families docs/metrics.md lists.
func documented(t *testing.T) map[string]family {
	t.Helper()
	out := map[string]family{}
	for _, line := range strings.Split(string(readFile(t, metricsDoc)), "\n") {
		m := docRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("%s lists %s twice", metricsDoc, m[1])
		}
		var labels []string
		for _, l := range strings.Split(m[3], ",") {
			if l = strings.Trim(strings.TrimSpace(l), "`"); l != "" && l != "—" {
				labels = append(labels, l)
			}
		}
		sort.Strings(labels)
		out[m[1]] = family{typ: m[2], labels: labels}
	}
	if len(out) == 0 {
		t.Fatalf("%s lists no engagehub_* metric", metricsDoc)
	}
	return out
}

var (
	sampleLine = regexp.MustCompile(`^(engagehub_[a-zA-Z0-9_]+)(?:\{(.*)\})? `)
	labelName  = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"`)
)

// families parses Prometheus text exposition: the engagehub_* families
// with their # TYPE and the label names their samples carry.
func families(body []byte) map[string]family {
	types, labels := map[string]string{}, map[string]map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" && strings.HasPrefix(f[2], "engagehub_") {
			types[f[2]] = f[3]
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		name := familyOf(m[1], types)
		if labels[name] == nil {
			labels[name] = map[string]bool{}
		}
		for _, l := range labelName.FindAllStringSubmatch(m[2], -1) {
			if l[1] != "le" {
				labels[name][l[1]] = true
			}
		}
	}
	out := map[string]family{}
	for name, typ := range types {
		var ls []string
		for l := range labels[name] {
			ls = append(ls, l)
		}
		sort.Strings(ls)
		out[name] = family{typ: typ, labels: ls}
	}
	return out
}

// familyOf maps a histogram's _bucket, _sum and _count samples to it.
func familyOf(sample string, types map[string]string) string {
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base := strings.TrimSuffix(sample, suffix); base != sample && types[base] == "histogram" {
			return base
		}
	}
	return sample
}

// TestMetricsReferenceListsEveryExportedSeries runs `engagehub serve`,
// drives the traffic that makes every engagehub_* family appear, and
// checks docs/metrics.md against /metrics both ways: every exported family
// is listed with its type and labels, and every listed one is exported.
func TestMetricsReferenceListsEveryExportedSeries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs engagehub; skipped with -short")
	}
	doc := documented(t)
	h := startHub(t)
	receivers := map[string]*counter{"deploy-ok": newReceiver(t, 200), "deploy-reject": newReceiver(t, 400), "deploy-gone": newReceiver(t, 410)}
	var problems []string
	for id, r := range receivers {
		problems = append(problems, h.subscribe(id, r.url)...)
	}
	problems = append(problems, h.subscribeFiltered("deploy-filter", receivers["deploy-ok"].url)...)
	problems = append(problems, h.produceUndecodable(t)...)
	var exported map[string]family
	for deadline := time.Now().Add(90 * time.Second); ; {
		problems = appendOnce(problems, h.postEvent()...)
		problems = appendOnce(problems, h.postUnrecognized()...)
		var err error
		if exported, err = h.scrape(); err != nil {
			problems = appendOnce(problems, err.Error())
		}
		if (allHit(receivers) && len(missingFrom(doc, exported)) == 0) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond) // polling an external process
	}
	for _, name := range missingFrom(exported, doc) {
		t.Errorf("%s is exported (%s) but not in %s", name, exported[name], metricsDoc)
	}
	for _, name := range missingFrom(doc, exported) {
		t.Errorf("%s is in %s but was never exported; traffic problems: %s", name, metricsDoc, strings.Join(problems, "; "))
	}
	for name, d := range doc {
		if e, ok := exported[name]; ok && (e.typ != d.typ || !slices.Equal(e.labels, d.labels)) {
			t.Errorf("%s: %s says %s, /metrics has %s", name, metricsDoc, d, e)
		}
	}
	if t.Failed() {
		t.Logf("engagehub log tail:\n%s", h.proc.out.tail(25))
	}
}

// missingFrom lists the names of want that have is missing, sorted.
func missingFrom(want, have map[string]family) []string {
	var out []string
	for name := range want {
		if _, ok := have[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func (h *hub) scrape() (map[string]family, error) {
	status, body, err := httpDo(http.MethodGet, h.base+"/metrics", "", nil)
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d %v", status, err)
	}
	return families(body), nil
}

// subscribeFiltered creates a subscription to every type whose filter
// reads the payload and is never true: contact events are skipped by the
// filter, an unrecognized (raw JSON) event cannot be decoded for it and is
// dead-lettered by fan-out.
func (h *hub) subscribeFiltered(id, url string) []string {
	body, _ := json.Marshal(map[string]any{
		"id": id, "eventTypes": []string{"*"}, "filter": `payload.contactId == "nobody"`,
		"destination": map[string]any{"type": "webhook", "url": url},
	})
	status, res, err := httpDo(http.MethodPost, h.base+"/v1/subscriptions", h.token, body)
	if err != nil || status/100 != 2 {
		return []string{fmt.Sprintf("POST /v1/subscriptions %s: %d %s %v", id, status, bytes.TrimSpace(res), err)}
	}
	return nil
}

// produceUndecodable writes, straight to Kafka, a contact.updated record
// framed with a schema id the registry does not know: fan-out cannot decode
// it for deploy-filter's filter and dead-letters it.
func (h *hub) produceUndecodable(t *testing.T) []string {
	cfg := kafka.DefaultConfig()
	cfg.Security.SASL = kafka.SASLConfig{Mechanism: "SCRAM-SHA-256", Username: "engagehub", Password: "deploy-test-password"}
	c, err := kafka.New(cfg, []string{h.kafka}, zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)))
	if err != nil {
		return []string{"kafka client: " + err.Error()}
	}
	defer c.Close()
	w := c.NewWriter(kafka.WriterOptions{})
	defer func() { _ = w.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := kafka.Message{Topic: "engage.contact.updated", Key: []byte("c-undecodable"), Value: []byte{0, 0, 0, 0x7f, 0xff, 2, 'x'},
		Headers: []kafka.Header{{Key: "event-type", Value: []byte("contact.updated")}, {Key: "event-id", Value: []byte("deploy-undecodable")}}}
	if err := w.WriteMessages(ctx, m); err != nil {
		return []string{"write the undecodable record: " + err.Error()}
	}
	return nil
}

// postUnrecognized publishes an event of a type outside the catalog.
func (h *hub) postUnrecognized() []string {
	h.seq++
	body := fmt.Sprintf(`{"eventId":"deploy-unrecognized-%d-%d","eventType":"order.created","allowUnrecognized":true,"payload":{"contactId":"c1"}}`,
		time.Now().UnixNano(), h.seq)
	status, res, err := httpDo(http.MethodPost, h.base+"/v1/events", h.token, []byte(body))
	if err != nil || status/100 != 2 {
		return []string{fmt.Sprintf("POST /v1/events (unrecognized): %d %s %v", status, bytes.TrimSpace(res), err)}
	}
	return nil
}

func TestFamiliesParsesTypesLabelsAndHistograms(t *testing.T) {
	t.Parallel()
	body := []byte(`# HELP engagehub_a_total A.
# TYPE engagehub_a_total counter
engagehub_a_total{subscription="s,1",outcome="x\"y"} 3
# TYPE engagehub_h_seconds histogram
engagehub_h_seconds_bucket{door="api",le="0.1"} 1
engagehub_h_seconds_sum{door="api"} 0.2
engagehub_h_seconds_count{door="api"} 1
# TYPE engagehub_g gauge
engagehub_g 1
# TYPE go_goroutines gauge
go_goroutines 9
`)
	got := families(body)
	want := map[string]family{
		"engagehub_a_total":   {typ: "counter", labels: []string{"outcome", "subscription"}},
		"engagehub_h_seconds": {typ: "histogram", labels: []string{"door"}},
		"engagehub_g":         {typ: "gauge"},
	}
	if len(got) != len(want) {
		t.Fatalf("families = %v, want %v", got, want)
	}
	for name, w := range want {
		if g := got[name]; g.typ != w.typ || !slices.Equal(g.labels, w.labels) {
			t.Errorf("%s = %s, want %s", name, g, w)
		}
	}
}
