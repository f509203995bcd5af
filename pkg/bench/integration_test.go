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
	o := DefaultOptions()
	o.Scenario = "integration"
	o.Rate, o.Batch, o.Concurrency, o.Subscriptions = 200, 10, 16, 1
	o.Duration, o.Drain, o.BaselineDuration = 2*time.Second, 60*time.Second, time.Second
	rep := runIntegration(t, o)
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

// TestBenchSubsIdleScaledDown runs the subs-idle preset with 50
// subscriptions for 5 s: engagehub restarts over them and reaches every
// delivery partition, and the resting process is sampled.
func TestBenchSubsIdleScaledDown(t *testing.T) {
	o, err := ScenarioOptions("subs-idle")
	if err != nil {
		t.Fatal(err)
	}
	o.Subscriptions, o.Duration = 50, 5*time.Second
	rep := runIntegration(t, o)
	if st := rep.Startup; st == nil || !st.Covered || st.Partitions < 1 || st.DeliveringSeconds < st.ReadySeconds || st.ReadySeconds <= 0 {
		t.Errorf("start-up %+v; want /readyz, then every delivery partition probed and delivered", st)
	}
	e := rep.Engagehub
	if g := e.Process; g == nil || g.GoroutineSamples < 1 || g.Goroutines.End < 1 || g.OpenFDs.End < 1 || g.BrokerConns.Peak < 1 {
		t.Errorf("process gauges %+v; want goroutines, fds and broker connections sampled", g)
	}
	if e.CPUPerSecond <= 0 || e.RSSMiB <= 0 || rep.Subscriptions.Count != 50 {
		t.Errorf("engagehub %+v, subscriptions %+v", e, rep.Subscriptions)
	}
}

// TestBenchSubs1000ScaledDown runs the subs-1000 preset with 50
// subscriptions (a path each on one receiver host, one of them dead) at
// 5 events/s for 5 s: the 49 others get every acked event once.
func TestBenchSubs1000ScaledDown(t *testing.T) {
	o, err := ScenarioOptions("subs-1000")
	if err != nil {
		t.Fatal(err)
	}
	o.Subscriptions, o.Failing, o.Duration = 50, 1, 5*time.Second
	rep := runIntegration(t, o)
	d := rep.Delivery
	if d.Losses != 0 || !d.DrainComplete || d.Expected != 49*rep.Ingest.Acked || d.Delivered != d.Expected || rep.Ingest.Acked < 20 {
		t.Errorf("delivered %d of %d (acked %d), losses %d %v", d.Delivered, d.Expected, rep.Ingest.Acked, d.Losses, d.LostIDs)
	}
	if d.Duplicates != 0 || d.Rejected != 0 || rep.Ingest.Unavailable != 0 || d.DuringLoad.Offered != 49*rep.Ingest.Sent {
		t.Errorf("duplicates %d, rejected %d, ingest 503 %d, during the load %+v", d.Duplicates, d.Rejected, rep.Ingest.Unavailable, d.DuringLoad)
	}
}

// TestBenchThreeSendersOneKilledScaledDown is subs-1000 with 30
// subscriptions over three sender instances, one killed with SIGKILL
// halfway through the load and started again: nothing acked is lost, the
// killed one comes back, and the duplicates are counted.
func TestBenchThreeSendersOneKilledScaledDown(t *testing.T) {
	o, err := ScenarioOptions("subs-1000")
	if err != nil {
		t.Fatal(err)
	}
	o.Subscriptions, o.Rate, o.Duration, o.Senders, o.KillSender = 30, 20, 16*time.Second, 3, true
	rep := runIntegration(t, o)
	d := rep.Delivery
	if d.Losses != 0 || !d.DrainComplete || d.Delivered != 30*rep.Ingest.Acked || rep.Ingest.Acked < 100 {
		t.Errorf("delivered %d of %d acked × 30, losses %d %v", d.Delivered, rep.Ingest.Acked, d.Losses, d.LostIDs)
	}
	if s := rep.Senders; s == nil || s.Count != 3 || !s.Killed || s.Error != "" || s.ReadySeconds <= 0 {
		t.Errorf("senders %+v; want 3, one killed and ready again", s)
	}
	t.Logf("duplicates after the kill: %d", d.Duplicates)
}

// runIntegration builds engagehub and runs the bench with o against it (on
// real Kafka when ENGAGEHUB_TEST_KAFKA_BROKERS is set, else the embedded
// broker), logging the table.
func runIntegration(t *testing.T, o Options) *Report {
	t.Helper()
	o.Binary = filepath.Join(t.TempDir(), "engagehub")
	build := exec.Command("go", "build", "-o", o.Binary, "github.com/engagehub/engagehub/cmd/engagehub")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build engagehub: %v\n%s", err, out)
	}
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
	return rep
}
