package kafka

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/engagehub/engagehub/pkg/secret"
)

// SecurityConfig is the `kafka.security` section.
type SecurityConfig struct {
	TLS  TLSConfig  `mapstructure:"tls"`
	SASL SASLConfig `mapstructure:"sasl"`
}

// TLSConfig is `kafka.security.tls`. Default: disabled.
type TLSConfig struct {
	// Enabled turns TLS on. Default false.
	Enabled bool `mapstructure:"enabled"`
	// CAFile is a PEM bundle of CAs to trust. Default: the system pool.
	CAFile string `mapstructure:"ca_file"`
	// CertFile and KeyFile are a client certificate for mutual TLS. Default: none.
	CertFile string `mapstructure:"cert_file"`
	KeyFile  string `mapstructure:"key_file"`
	// InsecureSkipVerify disables certificate checks (tests only). Default false.
	InsecureSkipVerify bool `mapstructure:"insecure_skip_verify"`
}

// SASLConfig is `kafka.security.sasl`. Default: no SASL.
type SASLConfig struct {
	// Mechanism is "", "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512". Default "".
	Mechanism string `mapstructure:"mechanism"`
	// Username for SASL. Default "".
	Username string `mapstructure:"username"`
	// Password for SASL (a secret: redacted when printed). Default "".
	Password secret.String `mapstructure:"password"`
}

// Validate checks the section, naming each bad key.
func (s SecurityConfig) Validate() error {
	var errs []error
	switch strings.ToUpper(s.SASL.Mechanism) {
	case "":
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if s.SASL.Username == "" {
			errs = append(errs, errors.New("kafka.security.sasl.username: required with a SASL mechanism"))
		}
	default:
		errs = append(errs, fmt.Errorf("kafka.security.sasl.mechanism: %q is not PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", s.SASL.Mechanism))
	}
	if (s.TLS.CertFile == "") != (s.TLS.KeyFile == "") {
		errs = append(errs, errors.New("kafka.security.tls.cert_file: cert_file and key_file go together"))
	}
	return errors.Join(errs...)
}

func (s SASLConfig) mechanism() (sasl.Mechanism, error) {
	switch strings.ToUpper(s.Mechanism) {
	case "":
		return nil, nil
	case "PLAIN":
		return plain.Mechanism{Username: s.Username, Password: s.Password.Reveal()}, nil
	case "SCRAM-SHA-256":
		return scram.Mechanism(scram.SHA256, s.Username, s.Password.Reveal())
	case "SCRAM-SHA-512":
		return scram.Mechanism(scram.SHA512, s.Username, s.Password.Reveal())
	}
	return nil, fmt.Errorf("kafka: unknown sasl mechanism %q", s.Mechanism)
}

func (t TLSConfig) config() (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: t.InsecureSkipVerify} //nolint:gosec // opt-in for tests
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("kafka: read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("kafka: ca_file %s holds no PEM certificate", t.CAFile)
		}
		cfg.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("kafka: load client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
