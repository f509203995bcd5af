package deploy

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// metricRef matches a metric name in a PromQL expression.
var metricRef = regexp.MustCompile(`\bengagehub_[a-z0-9_]*[a-z0-9]`)

// alertMetrics returns the engagehub_* metric families the alert rules use
// (histogram series _bucket/_sum/_count map to their family).
func alertMetrics(t *testing.T) []string {
	t.Helper()
	set := map[string]bool{}
	for _, r := range alertRules(t) {
		for _, m := range metricRef.FindAllString(r.Expr, -1) {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				m = strings.TrimSuffix(m, suffix)
			}
			set[m] = true
		}
	}
	var out []string
	for m := range set {
		out = append(out, m)
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s uses no engagehub_* metric", alertsFile)
	}
	return out
}

// trafficFor says what has to happen before a metric (a Vec: no series, so
// not exported, until a label set is observed) shows up in /metrics.
var trafficFor = map[string]string{
	"engagehub_ingest_requests_total":       "an ingest request (POST /v1/events)",
	"engagehub_kafka_write_seconds":         "an accepted event written to Kafka by ingest",
	"engagehub_fanout_lag":                  "fanout committing a batch (after the event)",
	"engagehub_sender_lag":                  "a sender worker for a webhook subscription",
	"engagehub_circuit_state":               "a sender worker for a webhook subscription",
	"engagehub_retry_pending":               "a sender worker for a webhook subscription",
	"engagehub_deliveries_total":            "a delivery attempt (subscription deploy-ok, receiver answers 200)",
	"engagehub_dead_letters_total":          "a dead letter (subscription deploy-reject, receiver answers 400)",
	"engagehub_subscription_disabled_total": "a subscription disabled (subscription deploy-gone, receiver answers 410)",
}

// TestAlertMetricsAreExported runs `engagehub serve` (every role, embedded
// broker with SASL/SCRAM-SHA-256 on, so the roles also prove they work over
// SASL), drives one event to three webhook subscriptions (answering 200,
// 400 and 410) and checks that /metrics exports every metric the alert
// rules use. It lists each missing one with the traffic that should have
// produced it.
func TestAlertMetricsAreExported(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs engagehub; skipped with -short")
	}
	want := alertMetrics(t)
	h := startHub(t)
	var problems []string
	receivers := map[string]*counter{"deploy-ok": newReceiver(t, 200), "deploy-reject": newReceiver(t, 400), "deploy-gone": newReceiver(t, 410)}
	for id, r := range receivers {
		problems = append(problems, h.subscribe(id, r.url)...)
	}
	deadline := time.Now().Add(90 * time.Second)
	var missing []string
	for {
		if !allHit(receivers) {
			problems = appendOnce(problems, h.postEvent()...)
		}
		exported, err := h.exported()
		if err != nil {
			problems = appendOnce(problems, err.Error())
		}
		missing = without(want, exported)
		if (len(missing) == 0 && allHit(receivers)) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond) // polling an external process
	}
	for id, r := range receivers {
		t.Logf("receiver of %s got %d requests", id, r.hits.Load())
	}
	if len(missing) > 0 {
		var b strings.Builder
		for _, m := range missing {
			fmt.Fprintf(&b, "\n  %s — appears after %s", m, hint(m))
		}
		t.Errorf("alert rules in %s use metrics engagehub does not export:%s\ntraffic problems: %s\nengagehub log tail:\n%s",
			alertsFile, b.String(), strings.Join(problems, "; "), h.proc.out.tail(25))
	}
}

func hint(m string) string {
	if h, ok := trafficFor[m]; ok {
		return h
	}
	return "(unknown: not a metric this test knows how to drive; is the name right?)"
}

// counter is an httptest webhook receiver answering a fixed status.
type counter struct {
	url  string
	hits atomic.Int64
}

func newReceiver(t *testing.T, status int) *counter {
	c := &counter{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		c.hits.Add(1)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	c.url = srv.URL + "/hook"
	return c
}

func allHit(rs map[string]*counter) bool {
	for _, r := range rs {
		if r.hits.Load() == 0 {
			return false
		}
	}
	return true
}

// hub is a running `engagehub serve` with its base URL and token.
type hub struct {
	proc  *proc
	base  string
	kafka string // the embedded broker's address (SASL/SCRAM-SHA-256)
	token string
	seq   int
}

func startHub(t *testing.T) *hub {
	t.Helper()
	httpAddr := freeAddr(t)
	h := &hub{base: "http://" + httpAddr, kafka: freeAddr(t), token: "deploy-test-token-0123456789abcdef"}
	env := map[string]string{
		"ENGAGEHUB_HTTP_LISTEN":                   httpAddr,
		"ENGAGEHUB_KAFKA_EMBEDDED_LISTEN":         h.kafka,
		"ENGAGEHUB_KAFKA_EMBEDDED_DIR":            filepath.Join(t.TempDir(), "kafka"),
		"ENGAGEHUB_KAFKA_PARTITIONS":              "1",
		"ENGAGEHUB_AUTH_TOKENS":                   h.token,
		"ENGAGEHUB_AUTH_SECRET_KEY":               "ZGVwbG95LXRlc3Qtc2VjcmV0LWtleS0zMi1ieXRlcyE=",
		"ENGAGEHUB_SENDER_ALLOW_NETWORKS":         "127.0.0.0/8",
		"ENGAGEHUB_LOG_FORMAT":                    "json",
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_MECHANISM": "SCRAM-SHA-256",
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_USERNAME":  "engagehub",
		"ENGAGEHUB_KAFKA_EMBEDDED_SASL_PASSWORD":  "deploy-test-password",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_MECHANISM": "SCRAM-SHA-256",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_USERNAME":  "engagehub",
		"ENGAGEHUB_KAFKA_SECURITY_SASL_PASSWORD":  "deploy-test-password",
	}
	h.proc = start(t, env, "serve")
	h.proc.waitReady(t, h.base+"/readyz", 90*time.Second)
	return h
}

// subscribe creates a webhook subscription to every contact event.
func (h *hub) subscribe(id, url string) []string {
	body, _ := json.Marshal(map[string]any{
		"id": id, "eventTypes": []string{"contact.*"},
		"destination": map[string]any{"type": "webhook", "url": url},
	})
	status, res, err := httpDo(http.MethodPost, h.base+"/v1/subscriptions", h.token, body)
	if err != nil {
		return []string{fmt.Sprintf("POST /v1/subscriptions %s: %v", id, err)}
	}
	if status/100 != 2 {
		return []string{fmt.Sprintf("POST /v1/subscriptions %s: %d %s", id, status, bytes.TrimSpace(res))}
	}
	return nil
}

// postEvent sends one contact.updated event with a fresh id.
func (h *hub) postEvent() []string {
	h.seq++
	var env map[string]any
	_ = json.Unmarshal(readSample(), &env)
	env["eventId"] = fmt.Sprintf("deploy-test-%d-%d", time.Now().UnixNano(), h.seq)
	body, _ := json.Marshal(env)
	status, res, err := httpDo(http.MethodPost, h.base+"/v1/events", h.token, body)
	if err != nil {
		return []string{"POST /v1/events: " + err.Error()}
	}
	if status != http.StatusAccepted && status != http.StatusOK {
		return []string{fmt.Sprintf("POST /v1/events: %d %s", status, bytes.TrimSpace(res))}
	}
	return nil
}

func readSample() []byte {
	b, err := os.ReadFile("../pkg/event/testdata/samples/contact.updated.json")
	if err != nil {
		return []byte(`{"eventId":"x","eventType":"contact.updated","tenant":"t","payload":{"contactId":"c1"}}`)
	}
	return b
}

// exported returns the metric families /metrics lists (# TYPE lines).
func (h *hub) exported() (map[string]bool, error) {
	status, body, err := httpDo(http.MethodGet, h.base+"/metrics", "", nil)
	if err != nil || status != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d %v", status, err)
	}
	out := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" {
			out[f[2]] = true
		}
	}
	return out, sc.Err()
}

func without(want []string, have map[string]bool) []string {
	var out []string
	for _, w := range want {
		if !have[w] {
			out = append(out, w)
		}
	}
	return out
}

func appendOnce(list []string, items ...string) []string {
	for _, it := range items {
		if !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}
