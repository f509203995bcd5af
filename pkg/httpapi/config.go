package httpapi

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/engagehub/engagehub/pkg/secret"
)

// Config is the `http` section.
type Config struct {
	// Listen is the address of the one HTTP listener. Default "127.0.0.1:8080".
	Listen string `mapstructure:"listen"`
	// ReadHeaderTimeout bounds reading request headers. Default 5s.
	ReadHeaderTimeout time.Duration `mapstructure:"read_header_timeout"`
	// ReadTimeout bounds reading a whole request, headers and body; a body
	// still arriving past it is answered 408 and the connection closed. Once
	// the body is read the handler itself is not bounded (net/http lifts the
	// deadline at the body's end). Default 30s.
	ReadTimeout time.Duration `mapstructure:"read_timeout"`
	// MaxHeaderBytes caps the request line and headers; more get 431.
	// Default 65536 (64 KiB).
	MaxHeaderBytes int `mapstructure:"max_header_bytes"`
	// IdleTimeout closes idle keep-alive connections. Default 120s.
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
	// ShutdownTimeout is how long in-flight requests may finish on stop. Default 15s.
	ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout"`
}

// AuthConfig is the `auth` section.
type AuthConfig struct {
	// Tokens are the bearer tokens accepted by admin and producer endpoints
	// (secrets: they print as [redacted]). Default: none, which refuses every
	// authenticated request.
	Tokens []secret.String `mapstructure:"tokens"`
	// SecretKey encrypts stored signing secrets (AES-256-GCM): 32 bytes as
	// base64 or hex (a secret). Default: none; required by the admin role.
	SecretKey secret.String `mapstructure:"secret_key"`
}

// Validate checks the section, naming each bad key.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("http.listen: %q is not host:port", c.Listen))
	}
	for key, d := range map[string]time.Duration{"read_header_timeout": c.ReadHeaderTimeout,
		"read_timeout": c.ReadTimeout, "idle_timeout": c.IdleTimeout, "shutdown_timeout": c.ShutdownTimeout} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("http.%s: must not be negative", key))
		}
	}
	if c.MaxHeaderBytes < 0 {
		errs = append(errs, fmt.Errorf("http.max_header_bytes: must not be negative"))
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
		ReadTimeout:       30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   15 * time.Second,
	}
}
