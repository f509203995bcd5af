//go:build integration

package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/kafka/kafkatest"
)

// TestEveryRoleRidesOutAMinuteWithoutApacheKafka is the outage test on real
// Apache Kafka: the broker is stopped (TERM, a controlled shutdown) for
// 60 s mid-stream and started again on the same data. It runs its own
// broker through deploy/kafka-local/kafka.sh (a data dir and ports of its
// own), because stopping the one `make test-integration` shares would break
// the other packages' tests running meanwhile.
func TestEveryRoleRidesOutAMinuteWithoutApacheKafka(t *testing.T) {
	if os.Getenv(kafkatest.EnvBrokers) == "" {
		t.Skip(kafkatest.EnvBrokers + " is unset: not the integration environment (make test-integration)")
	}
	rideOutOutage(t, newLocalKafka(t), 60*time.Second)
}

// localKafka is a broker run by deploy/kafka-local/kafka.sh.
type localKafka struct {
	script string
	env    []string
	listen string
}

func newLocalKafka(t *testing.T) *localKafka {
	t.Helper()
	script, err := filepath.Abs("../../deploy/kafka-local/kafka.sh")
	if err != nil {
		t.Fatal(err)
	}
	listen, controller := freeAddr(t), freeAddr(t)
	k := &localKafka{script: script, listen: listen, env: append(os.Environ(),
		"KAFKA_LOCAL_DIR="+filepath.Join(t.TempDir(), "kafka"),
		"KAFKA_LOCAL_PORT="+port(t, listen),
		"KAFKA_LOCAL_CONTROLLER_PORT="+port(t, controller),
		"KAFKA_LOCAL_HEAP_OPTS=-Xms128m -Xmx512m",
	)}
	k.run(t, "up")
	t.Cleanup(func() { k.run(t, "down") })
	return k
}

func (k *localKafka) addr() string { return k.listen }

func (k *localKafka) stop(t *testing.T) { k.run(t, "stop") }

func (k *localKafka) start(t *testing.T) { k.run(t, "start") }

func (k *localKafka) run(t *testing.T, command string) {
	t.Helper()
	cmd := exec.Command(k.script, command)
	cmd.Env = k.env
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("kafka.sh %s: %v\n%s", command, err, out)
	}
	t.Logf("kafka.sh %s: %s", command, time.Since(start).Round(100*time.Millisecond))
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil || strings.TrimSpace(p) == "" {
		t.Fatalf("port of %q: %v", addr, err)
	}
	return p
}
