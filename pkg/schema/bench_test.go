package schema

import (
	"context"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

func benchEvent(b *testing.B, typ event.Type) (*Serde, event.Event) {
	b.Helper()
	s, _ := preparedSerde(b)
	spec, _ := event.Lookup(typ)
	return s, sampleEvent(b, spec.Example)
}

func BenchmarkMarshal(b *testing.B) {
	for _, typ := range []event.Type{event.PointBalanceUpdated, event.ContactCreated, event.PromotionMultichannelAssigned} {
		b.Run(string(typ), func(b *testing.B) {
			s, ev := benchEvent(b, typ)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, _, err := s.Marshal(ev); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	benchDecode(b, func(s *Serde, ctx context.Context, value []byte) error {
		_, err := s.Unmarshal(ctx, value)
		return err
	})
}

// benchDecode measures decode over framed records of three catalog types.
func benchDecode(b *testing.B, decode func(s *Serde, ctx context.Context, value []byte) error) {
	for _, typ := range []event.Type{event.PointBalanceUpdated, event.ContactCreated, event.PromotionMultichannelAssigned} {
		b.Run(string(typ), func(b *testing.B) {
			s, ev := benchEvent(b, typ)
			_, value, err := s.Marshal(ev)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := decode(s, ctx, value); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func BenchmarkParseAndNew(b *testing.B) {
	spec, _ := event.Lookup(event.PointBalanceUpdated)
	b.ReportAllocs()
	for b.Loop() {
		env, err := event.Parse(spec.Example)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := event.New(env, event.SourceEngage, receivedAt); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProject decodes two payload fields, as fan-out does for a
// filter reading them.
func BenchmarkProject(b *testing.B) {
	p := NewProjection([]string{"contactId", "balance", "attributes", "redemptionChannels"}, false, false) // as fan-out makes them: key computed once
	var f Fields                                                                                           // reused, as fan-out does
	benchDecode(b, func(s *Serde, ctx context.Context, value []byte) error {
		return s.Project(ctx, value, p, &f)
	})
}
