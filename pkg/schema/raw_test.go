package schema

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func TestRawEqualsTheDecodedEnvelopeForEveryType(t *testing.T) {
	s, _ := preparedSerde(t)
	ctx := context.Background()
	for _, spec := range event.Catalog() {
		t.Run(string(spec.Type), func(t *testing.T) {
			ev := sampleEvent(t, spec.Example)
			_, value, err := s.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := s.Raw(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, spec.Example) {
				t.Fatalf("Raw = %s\nwant the original envelope %s", raw, spec.Example)
			}
		})
	}
}

func TestRawMarksBadValuesPermanent(t *testing.T) {
	s, _ := preparedSerde(t)
	spec, _ := event.Lookup(event.PointBalanceUpdated)
	_, value, err := s.Marshal(sampleEvent(t, spec.Example))
	if err != nil {
		t.Fatal(err)
	}
	truncated := value[:len(value)-10]
	if _, err := s.Raw(context.Background(), truncated); !errors.Is(err, ErrUndecodable) {
		t.Fatalf("truncated record: err = %v, want ErrUndecodable", err)
	}
	if _, err := s.Raw(context.Background(), []byte{7}); !errors.Is(err, ErrBadFraming) {
		t.Fatalf("bad framing: err = %v, want ErrBadFraming", err)
	}
}

func BenchmarkRaw(b *testing.B) {
	benchDecode(b, func(s *Serde, ctx context.Context, value []byte) error {
		_, err := s.Raw(ctx, value)
		return err
	})
}
