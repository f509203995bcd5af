package transform

import (
	"errors"
	"time"
)

// Config is the `transform` section: the limits of one call of a
// subscription's transformation.
type Config struct {
	// CPULimit is how long one call may run (wall-clock time) before it is
	// interrupted. Default 10ms.
	CPULimit time.Duration `mapstructure:"cpu_limit"`
	// MemoryLimitMiB is how much heap the process may allocate while one
	// call runs before the call is interrupted. Default 64.
	MemoryLimitMiB int `mapstructure:"memory_limit_mib"`
	// MaxOutputBytes bounds the body a call produces. Default 1048576.
	MaxOutputBytes int `mapstructure:"max_output_bytes"`
}

// Bounds of the built-ins that allocate in proportion to an argument.
const (
	// MaxArray is the longest array a built-in creates or works on.
	MaxArray = 1_000_000
	// MaxString is the longest string repeat, padStart and padEnd make.
	MaxString = 4 << 20
)

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{CPULimit: 10 * time.Millisecond, MemoryLimitMiB: 64, MaxOutputBytes: 1 << 20}
}

// Validate returns every problem with the section, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if c.CPULimit < time.Millisecond || c.CPULimit > 10*time.Second {
		errs = append(errs, errors.New("transform.cpu_limit: must be between 1ms and 10s"))
	}
	if c.MemoryLimitMiB < 1 || c.MemoryLimitMiB > 4096 {
		errs = append(errs, errors.New("transform.memory_limit_mib: must be between 1 and 4096"))
	}
	if c.MaxOutputBytes < 1024 || c.MaxOutputBytes > 64<<20 {
		errs = append(errs, errors.New("transform.max_output_bytes: must be between 1024 and 67108864"))
	}
	return errors.Join(errs...)
}

func (c Config) memoryLimit() uint64 { return uint64(c.MemoryLimitMiB) << 20 }

// tick is how often a running call's limits are checked: every tenth of
// the time limit, at least every millisecond.
func (c Config) tick() time.Duration {
	return min(max(c.CPULimit/10, 200*time.Microsecond), time.Millisecond)
}
