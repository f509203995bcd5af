//go:build integration

package bench

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// TestBenchThroughTheWholePipelineLosesNothing builds engagehub, runs the
// bench against it for 2 s at 200 events/s (on real Kafka when
// ENGAGEHUB_TEST_KAFKA_BROKERS is set, else the embedded broker), and
// requires every acknowledged event to reach the receiver, signed, once.
// Until ingest, admin, fan-out and the sender are wired into `serve` it
// fails, naming the missing piece.
func TestBenchThroughTheWholePipelineLosesNothing(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "engagehub")
	build := exec.Command("go", "build", "-o", bin, "github.com/engagehub/engagehub/cmd/engagehub")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build engagehub: %v\n%s", err, out)
	}
	o := DefaultOptions()
	o.Binary, o.Scenario = bin, "integration"
	o.Rate, o.Batch, o.Concurrency, o.Subscriptions = 200, 10, 16, 1
	o.Duration, o.Drain, o.BaselineDuration = 2*time.Second, 60*time.Second, time.Second
	if os.Getenv(kafkatest.EnvBrokers) != "" {
		o.Brokers = strings.Split(os.Getenv(kafkatest.EnvBrokers), ",")
	}
	var progress bytes.Buffer
	o.Progress = &progress
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("%v\nprogress:\n%s", err, progress.String())
	}
	var table bytes.Buffer
	_ = rep.WriteTable(&table)
	t.Log("\n" + table.String())
	d := rep.Delivery
	if rep.Ingest.Acked < 300 || rep.Ingest.Failed != 0 {
		t.Errorf("ingest acked %d, failed %d (%s); want ≥ 300 acked, none failed", rep.Ingest.Acked, rep.Ingest.Failed, rep.Ingest.LastError)
	}
	if d.Losses != 0 || !d.DrainComplete || d.Delivered != rep.Ingest.Acked {
		t.Errorf("delivered %d of %d acked, losses %d %v", d.Delivered, rep.Ingest.Acked, d.Losses, d.LostIDs)
	}
	if d.Rejected != 0 {
		t.Errorf("%d deliveries failed signature verification", d.Rejected)
	}
	if rep.Baselines.HTTP == nil || rep.Baselines.Kafka == nil || rep.Ratios.DeliveriesVsHTTP == 0 {
		t.Errorf("baselines or ratios missing: %+v %+v", rep.Baselines, rep.Ratios)
	}
}
