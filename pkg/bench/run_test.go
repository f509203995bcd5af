package bench

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// fakeRunOptions runs the bench against the fake child (this test binary).
func fakeRunOptions(t *testing.T) Options {
	t.Setenv(envFakeChild, "1")
	o := DefaultOptions()
	o.Binary = os.Args[0]
	o.Rate, o.Batch, o.Concurrency, o.Subscriptions = 500, 10, 16, 2
	o.Duration, o.Drain, o.BaselineDuration = time.Second, 20*time.Second, 0
	return o
}

func TestRunAgainstAFakeEngagehubAccountsForEveryEvent(t *testing.T) {
	o := fakeRunOptions(t)
	var progress bytes.Buffer
	o.Progress = &progress
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := rep.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + table.String())
	d := rep.Delivery
	if rep.Ingest.Acked < 400 || d.Losses != 0 || d.Delivered != 2*rep.Ingest.Acked || d.Expected != d.Delivered || !d.DrainComplete {
		t.Fatalf("ingest %+v, delivery %+v", rep.Ingest, d)
	}
	if rep.Latency.Count != d.Delivered || rep.Latency.P99 <= 0 || rep.Engagehub.PeakRSSMiB <= 0 {
		t.Fatalf("latency %+v, engagehub %+v", rep.Latency, rep.Engagehub)
	}
	if !strings.Contains(progress.String(), "bench: warm-up") || !strings.Contains(progress.String(), "acked") {
		t.Fatalf("progress lacks the phases or the per-second line:\n%s", progress.String())
	}
}

func TestRunReportsALostEventByID(t *testing.T) {
	o := fakeRunOptions(t)
	t.Setenv(envFakeDrop, "7")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	o.DrainIdle = 2 * time.Second
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	d := rep.Delivery
	if d.Losses != 2 || d.Pending != 0 || len(d.LostIDs) != 2 || !strings.HasSuffix(d.LostIDs[0], "-e7") || d.DrainComplete {
		t.Fatalf("delivery %+v; want event 7 lost at both endpoints", d)
	}
	if rep.Targets[0].Met {
		t.Fatal("the losses target is met despite a loss")
	}
	for _, w := range rep.Warnings {
		if dir, ok := strings.CutPrefix(w, "kept "); ok {
			_ = os.RemoveAll(strings.Fields(dir)[0])
		}
	}
}

func TestRunCutOffByDrainReportsPendingNotLosses(t *testing.T) {
	o := fakeRunOptions(t)
	t.Setenv(envFakeDrop, "7")
	o.Drain = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Delivery; d.Losses != 0 || d.Pending != 2 || d.DrainComplete {
		t.Fatalf("delivery %+v; want 2 pending, 0 losses: the drain was cut off, not idle", d)
	}
}
