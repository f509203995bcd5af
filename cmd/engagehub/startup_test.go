package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/engagehub/engagehub/pkg/httpapi"
)

func TestReadyIsLoggedOnlyOnceReadyzWouldSayReady(t *testing.T) {
	core, logs := observer.New(zap.InfoLevel)
	a := &app{log: zap.New(core), health: httpapi.NewHealth()}
	var calls atomic.Int32
	var ready atomic.Bool
	a.health.Add("ingest", func(context.Context) error {
		calls.Add(1)
		if !ready.Load() {
			return errors.New("rebuilding dedup window")
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- a.announceReady()(ctx) }()
	poll(t, "three readiness rounds", func() bool { return calls.Load() >= 3 })
	if n := logs.FilterMessage("engagehub ready").Len(); n != 0 {
		t.Fatalf("logged ready %d times while the ingest check failed", n)
	}
	ready.Store(true)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := logs.FilterMessage("engagehub ready").Len(); n != 1 {
		t.Fatalf("ready logged %d times, want once", n)
	}
}

func TestStartupErrorIsOneLineAndStartsNoBroker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kafka")
	t.Setenv("ENGAGEHUB_HTTP_LISTEN", freeAddr(t))
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_LISTEN", freeAddr(t))
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_DIR", dir)
	_, stderr, err := runCLI(t, "serve", "--roles", "admin") // no auth.secret_key
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(err.Error(), "auth.secret_key") {
		t.Fatalf("err = %v, want exit 1 naming auth.secret_key", err)
	}
	if strings.Contains(err.Error(), "\n") || strings.Contains(stderr, "stacktrace") || strings.Contains(stderr, ".go:") && strings.Contains(stderr, "goroutine") {
		t.Fatalf("start-up error is not one line without a stack trace:\nerr: %q\nstderr: %s", err, stderr)
	}
	if _, serr := os.Stat(dir); !errors.Is(serr, os.ErrNotExist) {
		t.Fatalf("the embedded broker started (its dir %s exists) though the roles could not run", dir)
	}
}

func TestInvalidConfigurationIsOneLine(t *testing.T) {
	t.Setenv("ENGAGEHUB_KAFKA_PARTITIONS", "0")
	t.Setenv("ENGAGEHUB_LOG_FORMAT", "xml")
	_, _, err := runCLI(t, "serve")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit 2", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "kafka.partitions") || !strings.Contains(msg, "log.format") {
		t.Fatalf("error %q: want one line naming kafka.partitions and log.format", msg)
	}
}

func TestSecondServeOnOneDataDirExitsThree(t *testing.T) {
	dir := t.TempDir()
	_, stop := startApp(t, testConfig(t, dir), "ingest")
	defer stop()
	t.Setenv("ENGAGEHUB_HTTP_LISTEN", freeAddr(t))
	t.Setenv("ENGAGEHUB_KAFKA_EMBEDDED_LISTEN", freeAddr(t))
	_, _, err := runCLI(t, "serve", "--roles", "ingest")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitDataDirInUse {
		t.Fatalf("second serve on %s: err = %v, want exit %d", dir, err, exitDataDirInUse)
	}
	for _, want := range []string{"in use", dir, "kafka.embedded.dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// poll waits up to 30 s for cond.
func poll(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
