package transform

import (
	"context"
	"os"
	"testing"

	"github.com/engagehub/engagehub/pkg/event"
)

// typicalScript is the typical transformation of the docs: reshape the
// envelope into a receiver's own JSON and add a header, what a team that
// "expects its own JSON shape" writes.
const typicalScript = "../../docs/examples/transform/reshape.js"

// compileTypical compiles typicalScript.
func compileTypical(tb testing.TB) *Script {
	tb.Helper()
	src, err := os.ReadFile(typicalScript)
	if err != nil {
		tb.Fatal(err)
	}
	s, err := Compile(string(src), DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// BenchmarkRun is the cost of one call of a typical transformation on a
// contact.updated example, pooled runtimes, parallel over GOMAXPROCS.
func BenchmarkRun(b *testing.B) {
	s := compileTypical(b)
	spec, _ := event.Lookup(event.ContactUpdated)
	in := Webhook{EventType: string(spec.Type), URL: "https://x.example/hook", Headers: map[string]string{"x-team": "crm"}, Payload: spec.Example}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Run(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}
