package kafka

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/secret"
)

// startSASLEmbedded starts a broker on a free port that requires SASL with
// one superuser (mechanism, user, password).
func startSASLEmbedded(t *testing.T, sasl SASLConfig) *Embedded {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	e, err := StartEmbedded(EmbeddedConfig{Dir: t.TempDir(), Listen: addr, SASL: sasl}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// newSASLClient connects to e with the given SASL credentials.
func newSASLClient(t *testing.T, e *Embedded, sasl SASLConfig) *Client {
	t.Helper()
	cfg := Config{Partitions: 2, ReplicationFactor: 1, Security: SecurityConfig{SASL: sasl}}
	c, err := New(cfg, []string{e.Addr()}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// pingUntil calls Ping until it succeeds, fails authentication or ctx is
// done, the way cmd/engagehub waits for Kafka at start-up, and returns the
// last error.
func pingUntil(ctx context.Context, c *Client) error {
	for {
		err := c.Ping(ctx)
		if err == nil || ctx.Err() != nil || errors.Is(err, ErrAuthentication) {
			return err
		}
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

var saslMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

func TestSASLProducesAndConsumesWithRightCredentials(t *testing.T) {
	for _, mech := range saslMechanisms {
		t.Run(mech, func(t *testing.T) {
			user := SASLConfig{Mechanism: mech, Username: "engagehub", Password: secret.String("s3cret-" + mech)}
			e := startSASLEmbedded(t, user)
			c := newSASLClient(t, e, user)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()

			if err := pingUntil(ctx, c); err != nil {
				t.Fatalf("ping with right credentials: %v", err)
			}
			if err := c.EnsureTopics(ctx, TopicSpec{Name: "sasl.events"}); err != nil {
				t.Fatalf("ensure topics: %v", err)
			}
			w := c.NewWriter(WriterOptions{})
			defer func() { _ = w.Close() }()
			want := map[string]string{"c1": "v1", "c2": "v2", "c3": "v3"}
			for k, v := range want {
				if err := w.WriteMessages(ctx, Message{Topic: "sasl.events", Key: []byte(k), Value: []byte(v)}); err != nil {
					t.Fatalf("produce: %v", err)
				}
			}

			r := c.NewGroupReader("sasl-group", []string{"sasl.events"}, ReaderOptions{})
			defer func() { _ = r.Close() }()
			got := map[string]string{}
			for len(got) < len(want) {
				m, err := r.Fetch(ctx)
				if err != nil {
					t.Fatalf("consume after %d records: %v", len(got), err)
				}
				got[string(m.Key)] = string(m.Value)
				if err := r.Commit(ctx, m); err != nil {
					t.Fatalf("commit: %v", err)
				}
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("record %s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestSASLWrongPasswordFailsStartUpClearly(t *testing.T) {
	for _, mech := range saslMechanisms {
		t.Run(mech, func(t *testing.T) {
			user := SASLConfig{Mechanism: mech, Username: "engagehub", Password: "right"}
			e := startSASLEmbedded(t, user)
			wrong := user
			wrong.Password = "wrong"
			c := newSASLClient(t, e, wrong)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()

			err := pingUntil(ctx, c)
			t.Log(err)
			if err == nil {
				t.Fatal("ping with a wrong password succeeded")
			}
			if !errors.Is(err, ErrAuthentication) {
				t.Errorf("error is not ErrAuthentication: %v", err)
			}
			msg := strings.ToLower(err.Error())
			if !strings.Contains(msg, "authentication failed") || !strings.Contains(msg, strings.ToLower(mech)) || !strings.Contains(msg, "engagehub") {
				t.Errorf("error %q does not say authentication failed for user engagehub with %s", err, mech)
			}
			if strings.Contains(err.Error(), "wrong") {
				t.Errorf("error %q leaks the password", err)
			}
		})
	}
}

func TestSASLMissingCredentialsFailsAgainstSASLBroker(t *testing.T) {
	e := startSASLEmbedded(t, SASLConfig{Mechanism: "SCRAM-SHA-256", Username: "engagehub", Password: "right"})
	c := newSASLClient(t, e, SASLConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := pingUntil(ctx, c); err == nil {
		t.Fatal("ping without SASL against a SASL broker succeeded")
	}
}
