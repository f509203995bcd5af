package bench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
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
	if dl := d.DuringLoad; dl.Offered != 2*rep.Ingest.Sent || dl.Delivered == 0 || dl.Delivered > d.Delivered || dl.Fraction <= 0 {
		t.Fatalf("during the load %+v; want a share of the %d offered", dl, 2*rep.Ingest.Sent)
	}
	if g := rep.Engagehub.Process; g == nil || g.Samples < 2 || g.GoroutineSamples < 1 || g.Goroutines.End < 1 || g.OpenFDs.Peak < 3 {
		t.Fatalf("process gauges %+v; want samples of the fake's goroutines and fds", g)
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

func TestRunIdleAfterARestartTimesTheStartUpAndSamplesTheChild(t *testing.T) {
	o := fakeRunOptions(t)
	t.Setenv(envFakeState, filepath.Join(t.TempDir(), "subs.jsonl"))
	o.Idle, o.Restart, o.SharedHost, o.Subscriptions, o.Duration = true, true, true, 20, 2*time.Second
	var progress bytes.Buffer
	o.Progress = &progress
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	st := rep.Startup
	if st == nil || st.Partitions != fakePartitions || !st.Covered || st.ReadySeconds <= 0 || st.DeliveringSeconds < st.ReadySeconds {
		t.Fatalf("start-up %+v; want ready, then delivering on all %d partitions", st, fakePartitions)
	}
	e := rep.Engagehub
	if e.Process == nil || e.Process.Samples < 2 || e.Process.BrokerConns.Peak < 1 || e.RSSMiB <= 0 || rep.Ingest.Sent != 0 {
		t.Fatalf("engagehub %+v, process %+v, sent %d; want samples with a broker connection and no load", e, e.Process, rep.Ingest.Sent)
	}
	if rep.Subscriptions.Count != 20 || !strings.Contains(progress.String(), "20 subscriptions created") {
		t.Fatalf("subscription set-up %+v; progress:\n%s", rep.Subscriptions, progress.String())
	}
	if len(rep.Warnings) != 0 {
		t.Fatalf("warnings: %v", rep.Warnings)
	}
}

func TestRunAddsSubscriptionsDuringTheLoadAndMeasuresTheOthers(t *testing.T) {
	o := fakeRunOptions(t)
	o.Subscriptions, o.SharedHost, o.AddDuring, o.Rate, o.Batch, o.Duration = 20, true, 5, 20, 1, 4*time.Second
	o.Scenario = "subs-1000"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	d, a := rep.Delivery, rep.AddDuring
	if d.Losses != 0 || d.Expected != 20*rep.Ingest.Acked || d.Delivered != d.Expected {
		t.Fatalf("delivery %+v; want every acked event at the 20 first subscriptions, the added ones not counted", d)
	}
	if a == nil || a.Added != 5 || a.Error != "" || a.Reached != 5 || a.During.Count == 0 || a.Before.Count == 0 || a.WorstSubscription == "" {
		t.Fatalf("add-during %+v", a)
	}
	if a.AtSeconds < 1 || a.Window[0] != a.AtSeconds || a.Window[1] > 4.5 {
		t.Fatalf("add-during at %.1fs, window %v; want halfway, within the load", a.AtSeconds, a.Window)
	}
	if _, ok := metByName(rep.Targets)["every other subscription's p99 < 1 s while adding"]; !ok {
		t.Fatalf("targets %+v lack the add-during one", rep.Targets)
	}
}

func TestRunCountsTheEventsIngestAnswered503(t *testing.T) {
	o := fakeRunOptions(t)
	t.Setenv(envFakeUnavailable, "3")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if in := rep.Ingest; in.Unavailable != int64(o.Batch) || in.Failed != in.Unavailable || rep.Delivery.Losses != 0 {
		t.Fatalf("ingest %+v, losses %d; want the one batch holding event 3 refused with 503 and counted", in, rep.Delivery.Losses)
	}
}
