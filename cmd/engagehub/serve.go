package main

import (
	"errors"
	"fmt"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// allRoles are the roles `serve` runs by default.
var allRoles = []string{"ingest", "fanout", "sender", "admin"}

func newServeCmd() *cobra.Command {
	var roles string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "run engagehub roles (default all) on the configured or embedded Kafka",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			selected, err := parseRoles(roles)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			cfg, err := loadConfig(cmd)
			if err != nil {
				return &exitError{code: 2, err: oneLine{fmt.Errorf("invalid configuration (engagehub config validate shows it): %w", err)}}
			}
			log, err := newLogger(cfg.Log, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			defer func() { _ = log.Sync() }()
			pacer := tuneRuntime(cfg.Runtime, log)
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if pacer != nil {
				go pacer.run(ctx, log)
			}
			log.Info("engagehub starting", zap.String("version", version), zap.Strings("roles", selected))
			if err := newApp(cfg, selected, log).run(ctx); err != nil {
				return stopped(err)
			}
			log.Info("engagehub stopped")
			return nil
		},
	}
	cmd.Flags().StringVar(&roles, "roles", strings.Join(allRoles, ","), "comma-separated roles to run: "+strings.Join(allRoles, ", "))
	return cmd
}

// Exit codes of serve besides 0: 1 a start-up or run failure, 2 a bad
// configuration or flag, 3 kafka.embedded.dir held by another process.
const exitDataDirInUse = 3

// stopped is the error serve exits with, on one line (main prints it).
func stopped(err error) error {
	code := 1
	if errors.Is(err, kafka.ErrDataDirInUse) {
		code = exitDataDirInUse
	}
	return &exitError{code: code, err: oneLine{err}}
}

// oneLine prints err on one line: errors.Join's newlines become "; ".
type oneLine struct{ err error }

func (e oneLine) Error() string { return strings.ReplaceAll(e.err.Error(), "\n", "; ") }
func (e oneLine) Unwrap() error { return e.err }

func parseRoles(s string) ([]string, error) {
	var out []string
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if !slices.Contains(allRoles, r) {
			return nil, fmt.Errorf("--roles: unknown role %q (roles: %s)", r, strings.Join(allRoles, ", "))
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--roles: name at least one of %s", strings.Join(allRoles, ", "))
	}
	return out, nil
}
