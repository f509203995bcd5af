package kafka

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap"
)

func TestSecondEmbeddedBrokerOnOneDataDirIsRefused(t *testing.T) {
	dir := t.TempDir()
	first, c := startEmbedded(t, dir)
	defer c.Close()
	_, err := StartEmbedded(EmbeddedConfig{Dir: dir, Listen: "127.0.0.1:0"}, zap.NewNop())
	if !errors.Is(err, ErrDataDirInUse) {
		first.Close()
		t.Fatalf("second broker on %s: err = %v, want ErrDataDirInUse", dir, err)
	}
	for _, want := range []string{dir, "pid " + strconv.Itoa(os.Getpid()), "kafka.embedded.dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	first.Close()
	again, err := StartEmbedded(EmbeddedConfig{Dir: dir, Listen: "127.0.0.1:0"}, zap.NewNop())
	if err != nil {
		t.Fatalf("after the first broker closed: %v", err)
	}
	again.Close()
}
