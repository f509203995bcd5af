package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"slices"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/engagehub/engagehub/pkg/config"
	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ingest"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/secret"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// app is one engagehub process: the concrete parts, wired once, and the
// runners that make up its roles.
type app struct {
	cfg     config.Config
	roles   []string
	log     *zap.Logger
	metrics *prometheus.Registry
	router  *httpapi.Router
	health  *httpapi.Health
	ready   atomic.Bool

	broker  *kafka.Embedded
	kafka   *kafka.Client
	schemas *schema.Set
	serde   *schema.Serde
	cipher  *subscription.Cipher        // set by preflight for admin, fanout and sender
	seeds   []subscription.Subscription // subscriptions.seed, decoded by preflight
	ingest  *ingest.Ingest              // set when the ingest role runs here
	ops     *ops.Service                // the operator service layer (admin role)

	runners []runner
	closers []func()
}

// runner is one long-running part of the process (a role, a table follower,
// the HTTP server); they run together and stop together.
type runner struct {
	name string
	run  func(ctx context.Context) error
}

func newApp(cfg config.Config, roles []string, log *zap.Logger) *app {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &app{
		cfg: cfg, roles: roles, log: log, metrics: reg,
		router: httpapi.NewRouter(httpapi.NewAuth(secret.Reveal(cfg.Auth.Tokens))),
		health: httpapi.NewHealth(),
	}
}

func (a *app) has(role string) bool { return slices.Contains(a.roles, role) }

func (a *app) add(name string, run func(ctx context.Context) error) {
	a.runners = append(a.runners, runner{name: name, run: run})
}

func (a *app) onClose(f func()) { a.closers = append(a.closers, f) }

// run starts everything, serves until ctx is done or a part fails, then
// stops every part; a part that fails to start stops the ones already started.
func (a *app) run(ctx context.Context) error {
	defer a.close()
	if err := a.preflight(); err != nil {
		return err
	}
	server, err := httpapi.Listen(a.cfg.HTTP, a.router, a.log.Named("http"))
	if err != nil {
		return err
	}
	a.mountOperations()
	a.add("http", server.Run)
	startCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := a.start(startCtx); err != nil {
		return err
	}
	a.ready.Store(true)
	a.add("ready", a.announceReady(zap.String("http", "http://"+server.Addr()), zap.Strings("brokers", a.kafka.Brokers())))
	g, gctx := errgroup.WithContext(ctx)
	for _, r := range a.runners {
		g.Go(func() error {
			if err := r.run(gctx); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", r.name, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// start brings up Kafka, the schema registry, the topics and the roles.
func (a *app) start(ctx context.Context) error {
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"kafka", a.startKafka},
		{"schemas", a.startSchemas},
		{"roles", a.startRoles},
	}
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("start %s: %w", s.name, err)
		}
	}
	return nil
}

// announceReady logs "engagehub ready" (with fields) once every readiness
// check passes, which is when /readyz first answers 200: the roles finish
// starting in their runners (ingest rebuilds its dedup window first).
func (a *app) announceReady(fields ...zap.Field) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		for {
			failing := a.health.Failing(ctx)
			if len(failing) == 0 {
				a.log.Info("engagehub ready", fields...)
				return nil
			}
			t := time.NewTimer(readyPoll)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

// readyPoll is how often announceReady asks the readiness checks.
const readyPoll = 100 * time.Millisecond

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// mountOperations adds /healthz, /readyz, /metrics and, behind the token,
// /debug/pprof/ (engagehub bench --cpuprofile reads it).
func (a *app) mountOperations() {
	a.health.Add("started", func(context.Context) error {
		if !a.ready.Load() {
			return errors.New("starting")
		}
		return nil
	})
	a.router.Handle(a.health.Routes()...)
	a.router.Handle(httpapi.Route{
		Method: http.MethodGet, Path: "/metrics", Tag: "operations", Summary: "Prometheus metrics",
		Handler: promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{Registry: a.metrics}),
	},
		httpapi.Route{Method: http.MethodGet, Path: "/debug/pprof/", Tag: "operations", Summary: "Go runtime profiles (net/http/pprof)",
			Authenticated: true, Handler: http.HandlerFunc(pprof.Index)},
		httpapi.Route{Method: http.MethodGet, Path: "/debug/pprof/profile", Tag: "operations", Summary: "CPU profile (?seconds=N)",
			Authenticated: true, Handler: http.HandlerFunc(pprof.Profile)},
	)
}
