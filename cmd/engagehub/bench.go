package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/engagehub/engagehub/pkg/bench"
)

// benchFlags are `engagehub bench`'s flags; a scenario fills the ones not given.
type benchFlags struct {
	scenario, broker, brokers, rate, cpuprofile, transformFile string
	set                                                        []string
	json                                                       bool
	o                                                          bench.Options
}

func newBenchCmd() *cobra.Command {
	f := &benchFlags{o: bench.DefaultOptions()}
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "measure the whole pipeline (ingest → fanout → sender → receiver) beside bare HTTP and Kafka baselines",
		Long: "bench starts a broker (embedded, or --broker real), engagehub serve as a child process, and a local\n" +
			"receiver that verifies signatures; it measures a bare HTTP client and bare Kafka produce/consume,\n" +
			"then drives events through POST /v1/events and reports throughput, end-to-end latency\n" +
			"(ingest ack → receiver), losses and duplicates by event id, engagehub's CPU, RSS, goroutines,\n" +
			"open files and broker connections,\n" +
			"and each figure as a ratio to its baseline. Scenarios: " + scenarioNames() + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runBench(cmd, f) },
	}
	addBenchFlags(cmd.Flags(), f)
	return cmd
}

func addBenchFlags(fs *pflag.FlagSet, f *benchFlags) {
	d := &f.o
	fs.StringVar(&f.scenario, "scenario", bench.DefaultScenario, "preset: "+scenarioNames()+" (flags given override it)")
	fs.StringVar(&f.broker, "broker", "embedded", "embedded (in-process, temp dir) or real (--brokers, else $ENGAGEHUB_TEST_KAFKA_BROKERS)")
	fs.StringVar(&f.brokers, "brokers", "", "Kafka bootstrap brokers host:port,… (implies --broker real)")
	fs.StringVar(&f.rate, "rate", "max", `events/s, paced open loop, or "max" (closed loop, --concurrency clients)`)
	fs.IntVar(&d.Batch, "batch", d.Batch, "events per POST /v1/events (1: a single envelope per request)")
	fs.StringVar(&d.Door, "door", d.Door, `where the load goes in: "api" (POST /v1/events) or "engage" (POST /ingest/engage, one Svix-signed event per request: with --batch 1)`)
	fs.IntVar(&d.Concurrency, "concurrency", d.Concurrency, "ingest clients at max rate; bound on requests in flight at a fixed rate")
	fs.IntVar(&d.Subscriptions, "subscriptions", d.Subscriptions, "subscriptions, each matching every event")
	fs.IntVar(&d.Versus, "versus", d.Versus, "then run the same max-rate load with this many subscriptions and compare deliveries/s (issue 11: ≥ 90 %)")
	fs.IntVar(&d.Failing, "failing", d.Failing, "of the subscriptions, how many have dead endpoints (503)")
	fs.IntVar(&d.AddDuring, "add-during", d.AddDuring, "create this many more subscriptions halfway through the load; report the others' latency around it")
	fs.IntVar(&d.Senders, "senders", d.Senders, "sender instances: the main engagehub process and this many minus one more running only the sender role")
	fs.BoolVar(&d.KillSender, "kill-sender", d.KillSender, "kill -9 one of the extra senders halfway through the load and start it again (needs --senders ≥ 2); duplicates are counted")
	fs.BoolVar(&d.Idle, "idle", d.Idle, "offer no load: measure --duration of rest (CPU, memory, goroutines, fds, connections)")
	fs.DurationVar(&d.Settle, "settle", d.Settle, "wait this long after the warm-up and restart before the measured window (their connections close)")
	fs.BoolVar(&d.Restart, "restart", d.Restart, "once the subscriptions are made, restart engagehub and time it to /readyz and to delivering on every delivery partition")
	fs.IntVar(&d.Slow, "slow", d.Slow, "of the subscriptions, how many answer after --receiver-latency (-1: all)")
	fs.DurationVar(&d.ReceiverLatency, "receiver-latency", d.ReceiverLatency, "delay before a slow endpoint answers")
	fs.IntVar(&d.Contacts, "contacts", d.Contacts, "distinct contact ids (Kafka keys) events spread over")
	fs.IntVar(&d.Payload, "payload", d.Payload, "approximate envelope size in bytes")
	fs.DurationVar(&d.Duration, "duration", d.Duration, "how long load is offered")
	fs.DurationVar(&d.Drain, "drain", d.Drain, "longest wait for deliveries after load stops")
	fs.DurationVar(&d.DrainIdle, "drain-idle", d.DrainIdle, "end the drain when no delivery arrived for this long (what is missing then counts as lost)")
	fs.Int64Var(&d.MaxBacklog, "max-backlog", d.MaxBacklog, "at max rate, hold ingest back while more deliveries than this are owed (0: unbounded)")
	fs.BoolVar(&d.SharedHost, "shared-host", d.SharedHost, "serve every subscription's endpoint on one host:port, a path each (the sender's per-host connection limit is then shared)")
	fs.BoolVar(&d.Verify, "verify", d.Verify, "receiver verifies signatures (in the engagehub run and the bare-HTTP baseline alike)")
	fs.DurationVar(&d.BaselineDuration, "baseline-duration", d.BaselineDuration, "length of each baseline (0: skip baselines)")
	fs.IntVar(&d.BaselineConcurrency, "baseline-concurrency", d.BaselineConcurrency, "bare HTTP client concurrency (engagehub's sender.max_conns_per_host)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of engagehub during the load to this file")
	fs.StringVar(&d.Filter, "filter", "", `every subscription's filter, a CEL expression, e.g. 'payload.contactType == "Member"'`)
	fs.StringVar(&f.transformFile, "transform-file", "", "every subscription's transformation: a JavaScript file defining handler(webhook)")
	fs.StringArrayVar(&f.set, "set", nil, "engagehub configuration for the run, key=value (keys as in the README; repeat for more), e.g. --set sender.http_client=net/http")
	fs.BoolVar(&f.json, "json", false, "print the report as JSON")
}

func runBench(cmd *cobra.Command, f *benchFlags) error {
	o, err := f.options(cmd.Flags())
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := runBenchScenario(ctx, o)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if f.json {
		err = res.WriteJSON(out)
	} else {
		err = res.WriteTable(out)
	}
	if err != nil {
		return err
	}
	for _, rep := range res.Reports() {
		if err := deliveryVerdict(rep); err != nil {
			return err
		}
	}
	return nil
}

// benchResult is one run's report, or two compared (--versus).
type benchResult interface {
	WriteTable(io.Writer) error
	WriteJSON(io.Writer) error
	Reports() []*bench.Report
}

// runBenchScenario runs the scenario: one run, or two compared (--versus).
func runBenchScenario(ctx context.Context, o bench.Options) (benchResult, error) {
	if o.Versus > 0 {
		return bench.RunVersus(ctx, o)
	}
	return bench.Run(ctx, o)
}

// deliveryVerdict turns losses, or deliveries unproven when the drain
// ended, into exit code 1.
func deliveryVerdict(rep *bench.Report) error {
	if rep.Delivery.Losses > 0 {
		return &exitError{code: 1, err: fmt.Errorf("bench: %d acknowledged deliveries never arrived", rep.Delivery.Losses)}
	}
	if rep.Delivery.Pending > 0 {
		return &exitError{code: 1, err: fmt.Errorf("bench: %d acknowledged deliveries still pending when --drain passed: no loss check", rep.Delivery.Pending)}
	}
	return nil
}

// options starts from the scenario and applies every flag the user gave.
func (f *benchFlags) options(fs *pflag.FlagSet) (bench.Options, error) {
	o, err := bench.ScenarioOptions(f.scenario)
	if err != nil {
		return o, err
	}
	given := &f.o
	copyIfSet(fs, "batch", &o.Batch, given.Batch)
	copyIfSet(fs, "door", &o.Door, given.Door)
	copyIfSet(fs, "concurrency", &o.Concurrency, given.Concurrency)
	copyIfSet(fs, "subscriptions", &o.Subscriptions, given.Subscriptions)
	copyIfSet(fs, "versus", &o.Versus, given.Versus)
	copyIfSet(fs, "failing", &o.Failing, given.Failing)
	copyIfSet(fs, "filter", &o.Filter, given.Filter)
	copyIfSet(fs, "add-during", &o.AddDuring, given.AddDuring)
	copyIfSet(fs, "senders", &o.Senders, given.Senders)
	copyIfSet(fs, "kill-sender", &o.KillSender, given.KillSender)
	copyIfSet(fs, "idle", &o.Idle, given.Idle)
	copyIfSet(fs, "settle", &o.Settle, given.Settle)
	copyIfSet(fs, "restart", &o.Restart, given.Restart)
	copyIfSet(fs, "slow", &o.Slow, given.Slow)
	copyIfSet(fs, "receiver-latency", &o.ReceiverLatency, given.ReceiverLatency)
	copyIfSet(fs, "contacts", &o.Contacts, given.Contacts)
	copyIfSet(fs, "payload", &o.Payload, given.Payload)
	copyIfSet(fs, "duration", &o.Duration, given.Duration)
	copyIfSet(fs, "drain", &o.Drain, given.Drain)
	copyIfSet(fs, "drain-idle", &o.DrainIdle, given.DrainIdle)
	copyIfSet(fs, "max-backlog", &o.MaxBacklog, given.MaxBacklog)
	copyIfSet(fs, "verify", &o.Verify, given.Verify)
	copyIfSet(fs, "shared-host", &o.SharedHost, given.SharedHost)
	copyIfSet(fs, "baseline-duration", &o.BaselineDuration, given.BaselineDuration)
	copyIfSet(fs, "baseline-concurrency", &o.BaselineConcurrency, given.BaselineConcurrency)
	if fs.Changed("rate") {
		if o.Rate, err = bench.ParseRate(f.rate); err != nil {
			return o, err
		}
	}
	if o.Brokers, err = f.brokerList(); err != nil {
		return o, err
	}
	o.CPUProfile = f.cpuprofile
	if f.transformFile != "" {
		script, err := os.ReadFile(f.transformFile)
		if err != nil {
			return o, fmt.Errorf("--transform-file: %w", err)
		}
		o.Transform = string(script)
	}
	for _, kv := range f.set {
		if key, _, ok := strings.Cut(kv, "="); !ok || key == "" {
			return o, fmt.Errorf("--set %q: want key=value, e.g. sender.http_client=net/http", kv)
		}
	}
	o.Config = f.set
	o.Progress = os.Stderr
	if o.Binary, err = os.Executable(); err != nil {
		return o, fmt.Errorf("bench: find own executable: %w", err)
	}
	return o, o.Validate()
}

func copyIfSet[T any](fs *pflag.FlagSet, name string, dst *T, v T) {
	if fs.Changed(name) {
		*dst = v
	}
}

// brokerList resolves --broker and --brokers: nil means the embedded broker.
func (f *benchFlags) brokerList() ([]string, error) {
	list := f.brokers
	switch {
	case list != "":
	case f.broker == "embedded":
		return nil, nil
	case f.broker == "real":
		list = os.Getenv("ENGAGEHUB_TEST_KAFKA_BROKERS")
		if list == "" {
			return nil, errors.New("bench: --broker real needs --brokers or $ENGAGEHUB_TEST_KAFKA_BROKERS (deploy/kafka-local/kafka.sh up prints it)")
		}
	default:
		return nil, fmt.Errorf("bench: --broker: want embedded or real, got %q", f.broker)
	}
	var out []string
	for _, b := range strings.Split(list, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out, nil
}

func scenarioNames() string {
	var names []string
	for _, s := range bench.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}
