package main

import (
	"os"
	"runtime/debug"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/config"
)

// tuneRuntime applies the runtime section, unless GOGC or GOMEMLIMIT are set
// in the environment (the Go runtime has applied those already).
func tuneRuntime(cfg config.RuntimeConfig, log *zap.Logger) {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(cfg.GCPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set && cfg.MemoryLimitMiB > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimitMiB << 20)
	}
	log.Debug("runtime tuned", zap.Int("gc_percent", cfg.GCPercent), zap.Int64("memory_limit_mib", cfg.MemoryLimitMiB))
}
