//go:build integration

package interop_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
	"github.com/engagehub/engagehub/pkg/schema/registry"
)

// registryToken authorizes schema registration, as engagehub's auth tokens do.
const registryToken = "interop-token"

// startRegistry serves the built-in schema registry at <url>/registry, kept
// in a compacted topic exactly as `engagehub serve` wires it
// (cmd/engagehub/wire_kafka.go), and returns the registry's base URL.
func startRegistry(ctx context.Context, t *testing.T, c *kafka.Client) string {
	t.Helper()
	log := &tableLog{}
	reg := registry.New(log)
	table, err := c.OpenTable(ctx, kafkatest.Topic(t, "schemas"), func(m kafka.Message) {
		_ = reg.Apply(m.Key, m.Value) // the writer already applied its own records (ErrConflict)
	})
	if err != nil {
		t.Fatal(err)
	}
	log.table = table
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = table.Run(runCtx) }()
	h := registry.NewHandler(reg, registry.WithPrefix("/registry"), registry.WithAuthorizer(func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Bearer "+registryToken
	}))
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); cancel(); <-done; _ = table.Close() })
	return srv.URL + "/registry"
}

// tableLog is the registry's Log: the compacted topic.
type tableLog struct{ table *kafka.Table }

func (l *tableLog) Append(ctx context.Context, key, value []byte) error {
	return l.table.Append(ctx, key, value)
}

func getJSON(ctx context.Context, t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
