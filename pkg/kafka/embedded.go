package kafka

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/zap"
)

// Embedded is the in-process, single-node Kafka-protocol broker engagehub
// runs when no brokers are configured. It persists to disk, so records and
// committed offsets survive a restart of the process.
type Embedded struct {
	cluster *kfake.Cluster
	addr    string
	lock    *dirLock
}

// StartEmbedded starts the broker on cfg.Listen with its data in cfg.Dir,
// which it locks: while one broker runs on a directory, another fails with
// ErrDataDirInUse.
func StartEmbedded(cfg EmbeddedConfig, log *zap.Logger) (*Embedded, error) {
	host, portText, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("kafka: embedded listen %q: %w", cfg.Listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("kafka: embedded listen port %q: %w", portText, err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("kafka: embedded data dir: %w", err)
	}
	lock, err := lockDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.ClusterID("engagehub-embedded"),
		kfake.DataDir(cfg.Dir),
		kfake.DefaultNumPartitions(1),
		kfake.WithLogger(kfakeLogger{log}),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, net.JoinHostPort(host, portText))
		}),
	}
	if cfg.SASL.Mechanism != "" {
		opts = append(opts, kfake.EnableSASL(),
			kfake.Superuser(strings.ToUpper(cfg.SASL.Mechanism), cfg.SASL.Username, cfg.SASL.Password.Reveal()))
	}
	cluster, err := kfake.NewCluster(opts...)
	if err != nil {
		lock.release()
		return nil, fmt.Errorf("kafka: start embedded broker on %s: %w", cfg.Listen, err)
	}
	e := &Embedded{cluster: cluster, addr: cluster.ListenAddrs()[0], lock: lock}
	log.Info("embedded single-node kafka broker started (not for production: set kafka.brokers to use a real cluster)",
		zap.String("addr", e.addr), zap.String("dir", cfg.Dir))
	return e, nil
}

// Addr is the broker's host:port.
func (e *Embedded) Addr() string { return e.addr }

// Close stops the broker, flushing its data to disk, then unlocks its
// data directory.
func (e *Embedded) Close() {
	e.cluster.Close()
	e.lock.release()
}

type kfakeLogger struct{ log *zap.Logger }

func (l kfakeLogger) Logf(level kfake.LogLevel, format string, args ...any) {
	switch level {
	case kfake.LogLevelError:
		l.log.Error(fmt.Sprintf(format, args...))
	case kfake.LogLevelWarn:
		l.log.Warn(fmt.Sprintf(format, args...))
	}
}
