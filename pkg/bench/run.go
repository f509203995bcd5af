package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/webhook"
)

// runner holds one run's parts, started in order and stopped in reverse.
type runner struct {
	o       Options
	clock   *Clock
	id      string // unique token naming the run's ids, topics and groups
	token   string
	engage  string          // the /ingest/engage signing secret (whsec_…)
	signer  *webhook.Signer // signs the load with it (--door engage); nil otherwise
	dir     string
	brokers []string
	kc      *kafka.Client
	env     *Envelopes
	recv    *Receiver
	child   *Child
	childO  ChildOptions // how the child was started, for a restart
	senders []*Child     // --senders beyond the main child; nil while one is down
	senderO []ChildOptions
	admin   *Admin
	client  *http.Client
	subs    []string // by endpoint index; "" where none was made
	setup   SubscriptionSetup
	startup *Startup
	load    *Load
	smp     *sampler
	m       measurement
	base    Baselines
	// baseOthers is the CPUs' worth other processes used during the baselines.
	baseOthers float64
	warn       []string
	undo       []func()
	progressMu sync.Mutex
}

// Run performs one bench run: broker, receiver, baselines, engagehub,
// subscriptions, warm-up, load, drain; then it stops everything it started
// and returns the report. An error means the run could not be measured;
// losses are reported, not returned as an error.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	r := &runner{o: o, clock: NewClock(nil)}
	defer r.stop()
	steps := []struct {
		name string
		do   func(context.Context) error
	}{
		{"prepare", r.prepare}, {"broker", r.startBroker}, {"receiver", r.startReceiver},
		{"baselines", r.baselines}, {"engagehub", r.startChild}, {"senders", r.startSenders}, {"subscriptions", r.subscribe},
		{"warm-up", r.warmUp}, {"restart", r.restart}, {"settle", r.settle}, {"load", r.measure},
	}
	for _, s := range steps {
		r.progressf("bench: %s", s.name)
		if err := s.do(ctx); err != nil {
			return nil, err
		}
	}
	rep := r.report()
	if err := r.unsubscribe(ctx); err != nil {
		rep.Warnings = append(rep.Warnings, err.Error())
	}
	if err := r.stopChild(); err != nil {
		rep.Warnings = append(rep.Warnings, err.Error())
	}
	if rep.Delivery.Losses > 0 {
		r.keepDir(rep)
	}
	return rep, nil
}

func (r *runner) stop() {
	for i := len(r.undo) - 1; i >= 0; i-- {
		r.undo[i]()
	}
}

func (r *runner) onStop(f func()) { r.undo = append(r.undo, f) }

// progressf writes a progress line; the ticker, --add-during and
// --kill-sender write from their own goroutines.
func (r *runner) progressf(format string, a ...any) {
	if r.o.Progress != nil {
		r.progressMu.Lock()
		defer r.progressMu.Unlock()
		fmt.Fprintf(r.o.Progress, format+"\n", a...)
	}
}

// prepare makes the run's identity, credentials and scratch directory.
func (r *runner) prepare(context.Context) error {
	r.id = randomHex(4)
	r.token = randomHex(24)
	if err := r.prepareEngage(); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "engagehub-bench-")
	if err != nil {
		return fmt.Errorf("bench: scratch dir: %w", err)
	}
	r.dir = dir
	r.onStop(func() {
		if r.dir != "" {
			_ = os.RemoveAll(r.dir)
		}
	})
	r.env = NewEnvelopes("bench-"+r.id, r.o.Contacts, r.o.Payload)
	r.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 4 * r.o.Concurrency, MaxIdleConnsPerHost: 4 * r.o.Concurrency, DisableCompression: true,
	}}
	r.onStop(r.client.CloseIdleConnections)
	return nil
}

// prepareEngage makes the secret /ingest/engage verifies with, and for
// --door engage the signer of the load.
func (r *runner) prepareEngage() error {
	var err error
	if r.engage, err = webhook.NewSecret(); err != nil {
		return fmt.Errorf("bench: engage secret: %w", err)
	}
	if r.o.Door != DoorEngage {
		return nil
	}
	secret, err := webhook.ParseSecret(r.engage)
	if err == nil {
		r.signer, err = webhook.NewSigner(secret)
	}
	if err != nil {
		return fmt.Errorf("bench: engage signer: %w", err)
	}
	return nil
}

// keepDir leaves the scratch directory (child log, broker data) for a
// post-mortem and says where it is.
func (r *runner) keepDir(rep *Report) {
	rep.Warnings = append(rep.Warnings, "kept "+r.dir+" (engagehub.log, broker data) for inspection")
	r.dir = ""
}

// startBroker starts the embedded broker, or connects to --brokers.
func (r *runner) startBroker(ctx context.Context) error {
	r.brokers = r.o.Brokers
	if len(r.brokers) == 0 {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		e, err := kafka.StartEmbedded(kafka.EmbeddedConfig{Dir: filepath.Join(r.dir, "kafka"), Listen: addr}, zap.NewNop())
		if err != nil {
			return fmt.Errorf("bench: embedded broker: %w", err)
		}
		r.onStop(e.Close)
		r.brokers = []string{e.Addr()}
	}
	kc, err := kafka.New(kafka.Config{Partitions: 6, ReplicationFactor: 1, ClientID: "engagehub-bench"}, r.brokers, zap.NewNop())
	if err != nil {
		return fmt.Errorf("bench: kafka client: %w", err)
	}
	r.onStop(kc.Close)
	r.kc = kc
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := kc.Ping(pctx); err != nil {
		return fmt.Errorf("bench: broker %v: %w", r.brokers, err)
	}
	return nil
}

func (r *runner) startReceiver(context.Context) error {
	r.recv = NewReceiver(ReceiverOptions{
		Endpoints: r.o.Subscriptions, Failing: r.o.Failing, Slow: r.o.slowCount(), Added: r.o.AddDuring,
		Delay: r.o.ReceiverLatency, Verify: r.o.Verify, SharedHost: r.o.SharedHost,
	}, r.clock)
	if err := r.recv.Start(); err != nil {
		return err
	}
	r.onStop(func() { _ = r.recv.Close() })
	return nil
}

// baselines measures the bare HTTP client and bare Kafka produce/consume,
// before engagehub starts, so nothing else competes for the CPUs.
func (r *runner) baselines(ctx context.Context) error {
	d := r.o.BaselineDuration
	if d == 0 {
		return nil
	}
	start, self := time.Now(), selfCPU()
	sys, _ := ReadSystemCPU()
	defer func() {
		after, _ := ReadSystemCPU()
		r.baseOthers = otherCPUs(sys, after, selfCPU()-self, time.Since(start))
	}()
	h, err := RunHTTPBaseline(ctx, r.recv.BaselineURL(), r.recv.Baseline, r.env, r.o.BaselineConcurrency, d, r.o.Verify)
	if err != nil {
		return err
	}
	r.base.HTTP = &h
	r.progressf("bench: bare http %s req/s (c=%d)", num(h.PerSec), h.Concurrency)
	k, err := RunKafkaBaseline(ctx, r.kc, r.env, KafkaBaselineOptions{
		Topic: "bench." + r.id + ".baseline", Partitions: 6, Batch: r.o.Batch,
		Concurrency: r.o.Concurrency, Duration: d,
	})
	if err != nil {
		return err
	}
	r.base.Kafka = &k
	r.progressf("bench: bare kafka produce %s/s, consume %s/s", num(k.ProducePerSec), num(k.ConsumePerSec))
	return nil
}

// startChild runs engagehub serve with every role and waits until ready.
func (r *runner) startChild(ctx context.Context) error {
	listen, err := freeAddr()
	if err != nil {
		return err
	}
	r.childO = ChildOptions{
		Binary: r.o.Binary, Brokers: strings.Join(r.brokers, ","), Listen: listen, Token: r.token,
		SecretKey: base64.StdEncoding.EncodeToString(randomBytes(32)), Run: r.id,
		LogPath: filepath.Join(r.dir, "engagehub.log"), Env: append([]string{"ENGAGEHUB_INGEST_ENGAGE_SECRETS=" + r.engage}, configEnv(r.o.Config)...),
	}
	r.onStop(func() { _ = r.stopChild() })
	if err := r.launchChild(ctx); err != nil {
		return err
	}
	r.admin = &Admin{base: r.child.BaseURL(), token: r.token, client: r.client, filter: r.o.Filter, transform: r.o.Transform}
	return nil
}

// launchChild starts the child with r.childO and waits until it is ready.
func (r *runner) launchChild(ctx context.Context) error {
	child, err := StartChild(r.childO)
	if err != nil {
		return err
	}
	r.child = child
	rctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	return child.WaitReady(rctx, r.client)
}

func (r *runner) stopChild() error {
	if r.child == nil {
		return nil
	}
	c := r.child
	r.child = nil
	return c.Stop(30 * time.Second)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on Linux
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n)) }

// settle waits --settle before the measured window (see Options.Settle).
// The bench's own Kafka client is idle from here on: closing its
// connections also stops its transport's metadata refreshes (all topics,
// every few seconds), broker work no deployment of engagehub has.
func (r *runner) settle(ctx context.Context) error {
	r.kc.Close()
	if r.o.Settle > 0 {
		r.progressf("bench: settling %s before the window (connections of the probes close)", r.o.Settle)
		wait(ctx, r.o.Settle)
	}
	return ctx.Err()
}
