package event

import (
	"testing"
	"time"
)

// BenchmarkParseNew is ingest's per-event cost: Parse then New, over the
// catalog examples in turn.
func BenchmarkParseNew(b *testing.B) {
	specs := Catalog()
	now := time.Now()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		env, err := Parse(specs[i%len(specs)].Example)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(env, SourceEngage, now); err != nil {
			b.Fatal(err)
		}
	}
}
