package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/engagehub/engagehub/pkg/bench"
)

// --filter and --transform-file go into every subscription the bench
// makes; a script file that cannot be read is a usage error naming the
// flag.
func TestBenchFlagsCarryTheFilterAndTheTransformation(t *testing.T) {
	script := filepath.Join(t.TempDir(), "t.js")
	if err := os.WriteFile(script, []byte("function handler(webhook) { return webhook }"), 0o600); err != nil {
		t.Fatal(err)
	}
	parse := benchParser(t)
	o, err := parse("--filter", `payload.contactType == "Member"`, "--transform-file", script)
	if err != nil || o.Filter != `payload.contactType == "Member"` || !strings.Contains(o.Transform, "handler") {
		t.Fatalf("options = filter %q, transform %q, %v", o.Filter, o.Transform, err)
	}
	if o, err := parse(); err != nil || o.Filter != "" || o.Transform != "" {
		t.Fatalf("without the flags: filter %q, transform %q, %v", o.Filter, o.Transform, err)
	}
	if _, err := parse("--transform-file", filepath.Join(t.TempDir(), "missing.js")); err == nil || !strings.Contains(err.Error(), "--transform-file") {
		t.Fatalf("a missing script: err = %v, want one naming --transform-file", err)
	}
}

func benchParser(t *testing.T) func(args ...string) (bench.Options, error) {
	return func(args ...string) (bench.Options, error) {
		f := &benchFlags{o: bench.DefaultOptions()}
		fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
		addBenchFlags(fs, f)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		return f.options(fs)
	}
}

// The max-100-vs-1 preset runs 1 subscription then 100; --versus sets
// the second count on any max-rate scenario and is refused with --rate.
func TestBenchFlagsVersusComparesTwoSubscriptionCounts(t *testing.T) {
	parse := benchParser(t)
	if o, err := parse("--scenario", "max-100-vs-1"); err != nil || o.Subscriptions != 1 || o.Versus != 100 {
		t.Fatalf("preset: subscriptions %d, versus %d, %v", o.Subscriptions, o.Versus, err)
	}
	if o, err := parse("--scenario", "max-100-vs-1", "--versus", "200", "--brokers", "127.0.0.1:1"); err != nil || o.Versus != 200 || len(o.Brokers) != 1 {
		t.Fatalf("--versus 200: versus %d, brokers %v, %v", o.Versus, o.Brokers, err)
	}
	if _, err := parse("--versus", "100", "--rate", "500"); err == nil || !strings.Contains(err.Error(), "--versus") {
		t.Fatalf("--versus with --rate: err = %v, want one naming --versus", err)
	}
}
