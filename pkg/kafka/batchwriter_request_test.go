package kafka

import (
	"fmt"
	"testing"
)

// Each produce request of a call holds at most RequestBytes (plus the one
// partition batch that crosses it) and, request after request, every
// partition's records in order.
func TestBatchWriterRequestsStayUnderRequestBytes(t *testing.T) {
	w := &BatchWriter{opts: WriterOptions{BatchBytes: 1000, RequestBytes: 3000}}
	parts := map[TopicPartition][]Message{}
	for p := range 20 {
		tp := TopicPartition{Topic: "t", Partition: p}
		for i := range 10 {
			parts[tp] = append(parts[tp], Message{Topic: "t", Value: fmt.Appendf(make([]byte, 0, 230), "%03d%0227d", i, 0)})
		}
	}
	next := map[TopicPartition]int{}
	for requests := 1; len(parts) > 0; requests++ {
		if requests > 200 {
			t.Fatal("requests never drain the call")
		}
		_, sent, rest := w.request(parts)
		var size int64
		for tp, ms := range sent {
			_, n := batchLen(ms, 1<<40)
			size += n
			for _, m := range ms {
				if got := string(m.Value[:3]); got != fmt.Sprintf("%03d", next[tp]) {
					t.Fatalf("%v: record %s sent where %03d was next", tp, got, next[tp])
				}
				next[tp]++
			}
		}
		if size > 3000+1000 {
			t.Fatalf("request %d holds %d bytes, want ≤ RequestBytes + one batch (4000)", requests, size)
		}
		parts = rest
	}
	for tp, n := range next {
		if n != 10 {
			t.Fatalf("%v: %d of 10 records sent", tp, n)
		}
	}
}
