package bench

import "strconv"

// partitionOf is the partition Kafka's default partitioner (murmur2 of the
// key, sign bit cleared, modulo the partition count) gives key: what
// engagehub's writers (kafka-go's Murmur2Balancer) do with a record keyed
// by contact id. The bench uses it to send one probe to each partition and
// checks afterwards, on the broker, that each partition got one.
func partitionOf(key []byte, partitions int) int {
	return int((murmur2(key) & 0x7fffffff) % uint32(partitions))
}

// murmur2 is the Java client's Utils.murmur2.
func murmur2(data []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h = h*m ^ k
	}
	tail := data[n&^3:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// probeContacts returns, for each of n partitions, the lowest contact
// number whose contact id (as Envelopes writes it) is keyed to that
// partition.
func probeContacts(n int) []int {
	out := make([]int, n)
	found := 0
	seen := make([]bool, n)
	for c := 0; found < n; c++ {
		p := partitionOf(strconv.AppendInt([]byte(contactPrefix), int64(c), 10), n)
		if !seen[p] {
			seen[p], out[p] = true, c
			found++
		}
	}
	return out
}
