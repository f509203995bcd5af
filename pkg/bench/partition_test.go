package bench

import (
	"strconv"
	"testing"
)

// The vectors are librdkafka's (rdmurmur2.c), which match the Java client.
func TestMurmur2MatchesTheJavaClient(t *testing.T) {
	t.Parallel()
	tests := map[string]uint32{
		"kafka": 0xd067cf64, "giberish123456789": 0x8f552b0c, "1234": 0x9fc97b14, "234": 0xe7c009ca,
		"34": 0x873930da, "4": 0x5a4b5ca1, "PreAmbleWillBeRemoved,ThePrePartThatIs": 0x78424f1c,
		"reAmbleWillBeRemoved,ThePrePartThatIs": 0x4a62b377, "eAmbleWillBeRemoved,ThePrePartThatIs": 0xe0e4e09e,
		"AmbleWillBeRemoved,ThePrePartThatIs": 0x62b8b43f, "": 0x106e08d9,
	}
	for key, want := range tests {
		if got := murmur2([]byte(key)); got != want {
			t.Errorf("murmur2(%q) = %#x, want %#x", key, got, want)
		}
	}
}

func TestProbeContactsLandOnEveryPartition(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 6, 12, 64} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			contacts := probeContacts(n)
			for p, c := range contacts {
				key := []byte(contactPrefix + strconv.Itoa(c))
				if got := partitionOf(key, n); got != p {
					t.Fatalf("contact %d for partition %d is keyed to partition %d", c, p, got)
				}
			}
		})
	}
}
