package httpapi

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Config is the `http` section.
type Config struct {
	// Listen is the address of the one HTTP listener. Default "127.0.0.1:8080".
	Listen string `mapstructure:"listen"`
	// ReadHeaderTimeout bounds reading request headers. Default 5s.
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	// IdleTimeout closes idle keep-alive connections. Default 120s.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// ShutdownTimeout is how long in-flight requests may finish on stop. Default 15s.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// AuthConfig is the `auth` section.
type AuthConfig struct {
	// Tokens are the bearer tokens accepted by admin and producer endpoints
	// (secrets: redacted when printed). Default: none, which refuses every
	// authenticated request.
	Tokens []string `mapstructure:"tokens"`
	// SecretKey encrypts stored signing secrets (AES-256-GCM): 32 bytes as
	// base64 or hex (a secret). Default: none; required by the admin role.
	SecretKey string `mapstructure:"secret_key"`
}

// Validate checks the section, naming each bad key.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("http.listen: %q is not host:port", c.Listen))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("http.shutdown_timeout: must not be negative"))
	}
	return errors.Join(errs...)
}

// Validate checks the section, naming each bad key.
func (c AuthConfig) Validate() error {
	var errs []error
	for i, t := range c.Tokens {
		if len(t) < 16 {
			errs = append(errs, fmt.Errorf("auth.tokens[%d]: must be at least 16 characters", i))
		}
	}
	return errors.Join(errs...)
}

// DefaultConfig returns the `http` section's defaults.
func DefaultConfig() Config {
	return Config{
		Listen:            "127.0.0.1:8080",
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   15 * time.Second,
	}
}
