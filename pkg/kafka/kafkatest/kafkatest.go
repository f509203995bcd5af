package kafkatest

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// EnvBrokers names the environment variable holding a comma-separated list
// of real brokers to test against (set by deploy/kafka-local/kafka.sh up).
const EnvBrokers = "ENGAGEHUB_TEST_KAFKA_BROKERS"

// Brokers returns the brokers the test runs against: those in EnvBrokers
// when it is set, otherwise the address of a fresh embedded broker in
// t.TempDir() on a free port, stopped by t.Cleanup.
func Brokers(t testing.TB) []string {
	t.Helper()
	if brokers := external(); len(brokers) > 0 {
		t.Logf("kafkatest: real Kafka at %s", strings.Join(brokers, ","))
		return brokers
	}
	e := Embedded(t)
	t.Logf("kafkatest: embedded broker at %s", e.Addr())
	return []string{e.Addr()}
}

// external returns the brokers in EnvBrokers, or nil when it is unset or empty.
func external() []string {
	var out []string
	for _, b := range strings.Split(os.Getenv(EnvBrokers), ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// Client returns a client for Brokers(t) with 3 partitions per topic and
// replication factor 1, closed by t.Cleanup.
func Client(t testing.TB) *kafka.Client {
	t.Helper()
	return ClientFor(t, Brokers(t))
}

// ClientFor returns a client for brokers (e.g. an Embedded broker's Addr)
// with 3 partitions per topic and replication factor 1, closed by t.Cleanup.
func ClientFor(t testing.TB, brokers []string) *kafka.Client {
	t.Helper()
	c, err := kafka.New(kafka.Config{Partitions: 3, ReplicationFactor: 1}, brokers, zap.NewNop())
	if err != nil {
		t.Fatalf("kafkatest: client: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// Embedded starts an in-process broker in t.TempDir() on a free port,
// whatever EnvBrokers says, and closes it in t.Cleanup (closing it earlier
// is fine). Use it for tests that stop and restart the broker: restart with
// kafka.StartEmbedded on the same Dir and Addr.
func Embedded(t testing.TB) *kafka.Embedded {
	t.Helper()
	e, err := kafka.StartEmbedded(kafka.EmbeddedConfig{Dir: t.TempDir(), Listen: FreeAddr(t)}, zap.NewNop())
	if err != nil {
		t.Fatalf("kafkatest: start embedded broker: %v", err)
	}
	t.Cleanup(e.Close)
	return e
}

// FreeAddr returns a 127.0.0.1 address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("kafkatest: free port: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("kafkatest: free port: %v", err)
	}
	return addr
}

// unsafeChars are the characters Kafka does not allow in topic names.
var unsafeChars = regexp.MustCompile(`[^a-zA-Z0-9._-]+`)

// Topic returns a topic (or consumer group) name unique to this test and
// run: prefix, the test's name and a random suffix, e.g.
// "orders.TestWriter_keys.3f9c2a1b". It creates nothing.
func Topic(t testing.TB, prefix string) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("kafkatest: random suffix: %v", err)
	}
	name := unsafeChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 150 {
		name = name[:150]
	}
	parts := []string{name, hex.EncodeToString(b[:])}
	if prefix != "" {
		parts = append([]string{prefix}, parts...)
	}
	return strings.Join(parts, ".")
}
