package telemetry

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/secret"
)

// Protocols of the OTLP exporter.
const (
	ProtocolHTTP = "http/protobuf"
	ProtocolGRPC = "grpc"
)

// Config is the `telemetry` section.
type Config struct {
	// ServiceName is the service.name resource attribute of every span.
	// Default "engagehub".
	ServiceName string `mapstructure:"service_name"`
	// SampleRatio is the share of new traces recorded (0..1); a request
	// arriving with a sampled traceparent is always recorded (parent-based).
	// Default 1.
	SampleRatio float64 `mapstructure:"sample_ratio"`
	// OTLP is where spans are exported.
	OTLP OTLPConfig `mapstructure:"otlp"`
}

// OTLPConfig is the `telemetry.otlp` section.
type OTLPConfig struct {
	// Endpoint is the collector's URL, e.g. http://otel-collector:4318
	// (http/protobuf; /v1/traces is appended to a URL without a path) or
	// http://otel-collector:4317 (grpc). An http:// URL is plain text, an
	// https:// one TLS. Default "": tracing off, no spans made, nothing exported.
	Endpoint string `mapstructure:"endpoint"`
	// Protocol is "http/protobuf" or "grpc". Default "http/protobuf".
	Protocol string `mapstructure:"protocol"`
	// Headers are sent with every export (e.g. an API key), written as
	// OTEL_EXPORTER_OTLP_HEADERS is: "name=value,name2=value2"; redacted
	// when the config is printed. Default "".
	Headers secret.String `mapstructure:"headers"`
	// Timeout bounds one export. Default 10s.
	Timeout time.Duration `mapstructure:"timeout"`
}

// DefaultConfig returns the section's defaults.
func DefaultConfig() Config {
	return Config{ServiceName: "engagehub", SampleRatio: 1, OTLP: OTLPConfig{Protocol: ProtocolHTTP, Timeout: 10 * time.Second}}
}

// Enabled reports whether spans are made and exported.
func (c Config) Enabled() bool { return c.OTLP.Endpoint != "" }

// Validate checks the section; every problem names its key.
func (c Config) Validate() error {
	var errs []error
	if c.SampleRatio < 0 || c.SampleRatio > 1 {
		errs = append(errs, fmt.Errorf("telemetry.sample_ratio: %v is not between 0 and 1", c.SampleRatio))
	}
	if c.OTLP.Protocol != ProtocolHTTP && c.OTLP.Protocol != ProtocolGRPC {
		errs = append(errs, fmt.Errorf("telemetry.otlp.protocol: %q, want %q or %q", c.OTLP.Protocol, ProtocolHTTP, ProtocolGRPC))
	}
	if c.OTLP.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("telemetry.otlp.timeout: %v, want more than 0", c.OTLP.Timeout))
	}
	if _, err := c.OTLP.headers(); err != nil {
		errs = append(errs, fmt.Errorf("telemetry.otlp.headers: %w", err))
	}
	if c.Enabled() {
		if err := checkEndpoint(c.OTLP.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("telemetry.otlp.endpoint: %w", err))
		}
		if c.ServiceName == "" {
			errs = append(errs, errors.New("telemetry.service_name: required when telemetry.otlp.endpoint is set"))
		}
	}
	return errors.Join(errs...)
}

// checkEndpoint wants an http or https URL with a host.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("not a URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("scheme %q, want http or https (e.g. http://otel-collector:4318)", u.Scheme)
	case u.Host == "":
		return errors.New("no host")
	}
	return nil
}

// headers parses Headers: comma-separated name=value pairs, values
// URL-decoded as in OTEL_EXPORTER_OTLP_HEADERS. Errors never quote a value.
func (c OTLPConfig) headers() (map[string]string, error) {
	out := map[string]string{}
	raw := strings.TrimSpace(c.Headers.Reveal())
	if raw == "" {
		return out, nil
	}
	for i, pair := range strings.Split(raw, ",") {
		name, value, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("pair %d: want name=value", i+1)
		}
		v, err := url.PathUnescape(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("pair %d (%s): value is not URL-encoded text", i+1, name)
		}
		out[name] = v
	}
	return out, nil
}
