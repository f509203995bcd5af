package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// failingReceiver answers 400 with a body while fail is set, 204 after.
type failingReceiver struct {
	url  string
	fail atomic.Bool
	hits atomic.Int32
}

func newFailingReceiver(t *testing.T) *failingReceiver {
	r := &failingReceiver{}
	r.fail.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r.hits.Add(1)
		if r.fail.Load() {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"unknown store S1"}`))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

// cli runs an operator command against base and fails the test on error.
func cli(t *testing.T, base string, args ...string) string {
	t.Helper()
	out, _, err := runCLI(t, append(args, "--url", base, "--token", testToken)...)
	if err != nil {
		t.Fatalf("engagehub %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// until runs the command until its output contains want.
func until(t *testing.T, base, want string, args ...string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := cli(t, base, args...)
		if strings.Contains(out, want) {
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("engagehub %s never showed %q; last:\n%s", strings.Join(args, " "), want, out)
		}
		<-time.After(100 * time.Millisecond)
	}
}

func TestOperatorCommandsDriveTheWholeLoop(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	_, stop := startApp(t, cfg)
	defer stop()
	base := "http://" + cfg.HTTP.Listen
	rcv := newFailingReceiver(t)
	subFile := filepath.Join(t.TempDir(), "sub.json")
	sub := `{"id":"pos-sync","eventTypes":["point.balance.updated"],"destination":{"type":"webhook","url":"` + rcv.url + `"}}`
	if err := os.WriteFile(subFile, []byte(sub), 0o600); err != nil {
		t.Fatal(err)
	}
	cli(t, base, "subscriptions", "create", subFile)

	t.Run("test event reports the receiver's refusal", func(t *testing.T) {
		_, _, err := runCLI(t, "subscriptions", "test", "pos-sync", "--url", base, "--token", testToken)
		var ee *exitError
		if err == nil || !strings.Contains(err.Error(), "4xx") || !errors.As(err, &ee) || ee.code != 1 {
			t.Fatalf("test = %v, want exit 1 naming 4xx", err)
		}
	})
	t.Run("events send publishes a catalog sample", func(t *testing.T) {
		out := cli(t, base, "events", "send", "--sample", "point.balance.updated")
		if !strings.Contains(out, "point.balance.updated -> engage.point.balance.updated") {
			t.Fatalf("events send = %q", out)
		}
	})
	t.Run("attempts show the failure with its response", func(t *testing.T) {
		out := until(t, base, "dead_letter", "attempts", "pos-sync", "--outcome", "failed")
		if !strings.Contains(out, "unknown store S1") || !strings.Contains(out, "400") {
			t.Fatalf("attempts = %s, want the 400 and its response excerpt", out)
		}
	})
	var eventID string
	t.Run("dead letters list it, redrive delivers it and marks it", func(t *testing.T) {
		out := until(t, base, `"eventId"`, "dead-letters", "list", "pos-sync", "--json")
		var page struct{ DeadLetters []struct{ EventID string } }
		if err := json.Unmarshal([]byte(out), &page); err != nil || len(page.DeadLetters) != 1 {
			t.Fatalf("dead letters = %s (%v)", out, err)
		}
		eventID = page.DeadLetters[0].EventID
		rcv.fail.Store(false)
		if out := cli(t, base, "dead-letters", "redrive", "pos-sync", eventID); !strings.Contains(out, "redriven 1") {
			t.Fatalf("redrive = %q", out)
		}
		until(t, base, "delivered", "attempts", "pos-sync", "--outcome", "delivered")
		if out := cli(t, base, "dead-letters", "list", "pos-sync", "--json"); !strings.Contains(out, `"redriven": true`) {
			t.Fatalf("dead letters after redrive = %s, want it marked redriven", out)
		}
	})
	t.Run("trace follows the event to its attempts", func(t *testing.T) {
		out := cli(t, base, "trace", "--event-id", eventID)
		if !strings.Contains(out, "pos-sync: engagehub.deliver.pos-sync") || !strings.Contains(out, "delivered") {
			t.Fatalf("trace = %s", out)
		}
	})
	t.Run("replay shows progress until done", func(t *testing.T) {
		out := cli(t, base, "replay", "pos-sync", "--since", "1h", "--poll", "20ms")
		if !strings.Contains(out, "100%") || !strings.Contains(out, "replayed 1 events") {
			t.Fatalf("replay = %q", out)
		}
	})
	t.Run("disable, enable and update", func(t *testing.T) {
		if out := cli(t, base, "subscriptions", "disable", "pos-sync"); !strings.Contains(out, "enabled=false") {
			t.Fatalf("disable = %q", out)
		}
		if out := cli(t, base, "subscriptions", "enable", "pos-sync"); !strings.Contains(out, "enabled=true") {
			t.Fatalf("enable = %q", out)
		}
		patch := filepath.Join(t.TempDir(), "patch.json")
		_ = os.WriteFile(patch, []byte(`{"description":"POS sync v2"}`), 0o600)
		if out := cli(t, base, "subscriptions", "update", "pos-sync", patch, "--patch"); !strings.Contains(out, "POS sync v2") {
			t.Fatalf("update --patch = %q", out)
		}
		if out := cli(t, base, "subscriptions", "update", "pos-sync", subFile); strings.Contains(out, "POS sync v2") {
			t.Fatalf("update (replace) kept the description: %q", out)
		}
	})
}
