package event

import (
	"strings"
	"testing"
	"time"
)

// BenchmarkParseNew is ingest's per-event cost: Parse then New, over the
// catalog examples in turn, and over the bench's envelope (contact.updated,
// 512 bytes, most of them one attribute's value).
func BenchmarkParseNew(b *testing.B) {
	var catalog [][]byte
	for _, s := range Catalog() {
		catalog = append(catalog, s.Example)
	}
	padded := []byte(`{"eventId":"bench-1-e1","eventType":"contact.updated","tenant":"bench","isEncrypted":false,` +
		`"payload":{"contactId":"bench-contact-1","attributes":{"note":"` + strings.Repeat("x", 380) + `"}}}`)
	for _, tc := range []struct {
		name string
		envs [][]byte
	}{{"catalog", catalog}, {"512B", [][]byte{padded}}} {
		b.Run(tc.name, func(b *testing.B) {
			now := time.Now()
			b.ReportAllocs()
			for i := range b.N {
				env, err := Parse(tc.envs[i%len(tc.envs)])
				if err != nil {
					b.Fatal(err)
				}
				if _, err := New(env, SourceEngage, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
