package kafka

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// startEmbedded starts a broker in a temp dir on a free port.
func startEmbedded(t *testing.T, dir string) (*Embedded, *Client) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return startEmbeddedAt(t, dir, addr)
}

func startEmbeddedAt(t *testing.T, dir, addr string) (*Embedded, *Client) {
	t.Helper()
	e, err := StartEmbedded(EmbeddedConfig{Dir: dir, Listen: addr}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(Config{Partitions: 3, ReplicationFactor: 1}, []string{e.Addr()}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

func TestEmbeddedKeepsRecordsAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	e, c := startEmbedded(t, dir)
	addr := e.Addr()
	if err := c.EnsureTopics(ctx, TopicSpec{Name: "t1"}); err != nil {
		t.Fatal(err)
	}
	w := c.NewWriter(WriterOptions{})
	for i := range 10 {
		if err := w.WriteMessages(ctx, Message{Topic: "t1", Key: []byte(fmt.Sprint(i)), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	c.Close()
	e.Close()

	e2, c2 := startEmbeddedAt(t, dir, addr)
	defer e2.Close()
	ends, err := c2.Ends(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	var total int64
	for _, pe := range ends {
		total += pe.Next - pe.First
	}
	if total != 10 {
		t.Fatalf("records after restart = %d, want 10", total)
	}
}

func TestEnsureTopicsTreatsExistingAsSuccess(t *testing.T) {
	e, c := startEmbedded(t, t.TempDir())
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for range 2 {
		if err := c.EnsureTopics(ctx, TopicSpec{Name: "dup"}, TopicSpec{Name: "compacted", Compacted: true, Partitions: 1}); err != nil {
			t.Fatal(err)
		}
	}
	ends, err := c.Ends(ctx, "dup")
	if err != nil || len(ends) != 3 {
		t.Fatalf("ends = %v, %v; want 3 partitions", ends, err)
	}
}

func TestTablePutIsVisibleToAnotherInstance(t *testing.T) {
	e, c := startEmbedded(t, t.TempDir())
	defer e.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	views := [2]map[string]string{{}, {}}
	tables := [2]*Table{}
	changes := make(chan struct{}, 16)
	for i := range tables {
		tb, err := c.OpenTable(ctx, "state", func(m Message) {
			if m.Value == nil {
				delete(views[i], string(m.Key))
			} else {
				views[i][string(m.Key)] = string(m.Value)
			}
			if i == 1 {
				changes <- struct{}{}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		tables[i] = tb
		go func() { _ = tb.Run(ctx) }()
		defer tb.Close()
	}
	if err := tables[0].Put(ctx, []byte("a"), []byte("1")); err != nil {
		t.Fatal(err)
	}
	if views[0]["a"] != "1" {
		t.Fatalf("writer's view = %v, want a=1 after Put", views[0])
	}
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("second instance never saw the write")
	}
	if err := tables[1].Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if views[1]["a"] != "1" {
		t.Fatalf("other view = %v, want a=1", views[1])
	}
}

// TestTableWaitsOutBrokerRestart stops the broker under a following table:
// Run logs the failure and keeps going, and once the broker is back on the
// same data the table applies a record written after the restart.
func TestTableWaitsOutBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	e, _ := startEmbedded(t, dir)
	addr := e.Addr()
	core, logs := observer.New(zap.WarnLevel)
	c, err := New(Config{Partitions: 1, ReplicationFactor: 1, RetryBackoffMax: 200 * time.Millisecond}, []string{addr}, zap.New(core))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seen := make(chan string, 16)
	tb, err := c.OpenTable(ctx, "state", func(m Message) { seen <- string(m.Key) })
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- tb.Run(runCtx) }()

	e.Close()
	for logs.FilterMessageSnippet("follow table state failed").Len() == 0 {
		select {
		case err := <-ran:
			t.Fatalf("Run returned %v while the broker was down", err)
		case <-ctx.Done():
			t.Fatal("the table never noticed the broker stopped")
		case <-time.After(20 * time.Millisecond):
		}
	}

	e2, c2 := startEmbeddedAt(t, dir, addr)
	defer e2.Close()
	if err := c2.NewWriter(WriterOptions{}).WriteMessages(ctx, Message{Topic: "state", Key: []byte("after"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	select {
	case k := <-seen:
		if k != "after" {
			t.Fatalf("applied %q, want the record written after the restart", k)
		}
	case err := <-ran:
		t.Fatalf("Run returned %v", err)
	case <-ctx.Done():
		t.Fatal("the record written after the restart was never applied")
	}
	stop()
	if err := <-ran; err != nil {
		t.Errorf("Run on cancel = %v, want nil", err)
	}
}

func TestPingFailsOnceTheBrokerStops(t *testing.T) {
	e, c := startEmbedded(t, t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	e.Close()
	pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
	defer pcancel()
	if err := c.Ping(pctx); err == nil {
		t.Fatal("Ping succeeded right after the broker stopped (answered from a cache?)")
	}
}
