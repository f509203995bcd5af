package fanout

import "github.com/engagehub/engagehub/pkg/kafka"

// buffers hold the copies of the batch being written and their headers,
// reused from batch to batch once a write has succeeded (a failed write
// may still be in progress in the writer, so its memory is left to it).
type buffers struct {
	msgs   []kafka.Message
	chunks [][]kafka.Header
	chunk  int // index in chunks being carved
	used   int // headers taken from chunks[chunk]
}

// headerChunk is how many headers one allocation holds.
const headerChunk = 1 << 14

// headers returns n headers for the caller to fill, with capacity n, so
// appending to them never touches another copy's.
func (b *buffers) headers(n int) []kafka.Header {
	if b.chunk < len(b.chunks) && b.used+n > len(b.chunks[b.chunk]) {
		b.chunk, b.used = b.chunk+1, 0
	}
	if b.chunk == len(b.chunks) {
		b.chunks = append(b.chunks, make([]kafka.Header, max(headerChunk, n)))
	}
	h := b.chunks[b.chunk][b.used : b.used+n : b.used+n]
	b.used += n
	return h
}

// reuse makes the memory of the last batch available to the next.
func (b *buffers) reuse() {
	clear(b.msgs) // drop references to the batch's records
	b.msgs = b.msgs[:0]
	b.chunk, b.used = 0, 0
}

// drop forgets the memory of the last batch.
func (b *buffers) drop() { *b = buffers{} }
