package ingest

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkSplitBatch is the cost of cutting a /v1/events batch of 50
// envelopes (~512 bytes each) into its elements, before each is parsed.
func BenchmarkSplitBatch(b *testing.B) {
	var body bytes.Buffer
	body.WriteByte('[')
	for i := range 50 {
		if i > 0 {
			body.WriteByte(',')
		}
		fmt.Fprintf(&body, `{"id":"ev-%d","type":"contact.updated","contactId":"c-%d","payload":{"contactId":"c-%d","contactType":"Member","attributes":{"email":"a%d@example.com","firstName":"Ann","lastName":"Lee","city":"Göteborg","note":"%s"}}}`,
			i, i%1000, i%1000, i, bytes.Repeat([]byte("x"), 300))
	}
	body.WriteByte(']')
	in := &Ingest{cfg: DefaultConfig()}
	b.SetBytes(int64(body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if raws, _, f := in.split(body.Bytes()); f != nil || len(raws) != 50 {
			b.Fatal(f, len(raws))
		}
	}
}
