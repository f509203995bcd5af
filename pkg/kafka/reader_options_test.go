package kafka

import (
	"testing"

	"go.uber.org/zap"
)

func TestReaderMinBytesDefaultsToOneAndStaysWithinMaxBytes(t *testing.T) {
	c, err := New(Config{}, []string{"127.0.0.1:1"}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts ReaderOptions
		want int
	}{
		{ReaderOptions{}, 1},
		{ReaderOptions{MinBytes: 256 << 10}, 256 << 10},
		{ReaderOptions{MinBytes: 8 << 20, MaxBytes: 1 << 20}, 1 << 20},
	} {
		if got := c.readerConfig(tc.opts).MinBytes; got != tc.want {
			t.Errorf("%+v: MinBytes %d, want %d", tc.opts, got, tc.want)
		}
	}
}
