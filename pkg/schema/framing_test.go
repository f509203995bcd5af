package schema

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrameThenUnframeReturnsIDAndPayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id      uint32
		payload []byte
	}{
		{0, nil},
		{1, []byte{2, 4}},
		{0x01020304, []byte("avro")},
		{^uint32(0), []byte{0}},
	}
	for _, tt := range tests {
		framed := Frame(tt.id, tt.payload)
		if framed[0] != 0 || len(framed) != 5+len(tt.payload) {
			t.Fatalf("Frame(%d) = %v", tt.id, framed)
		}
		id, payload, err := Unframe(framed)
		if err != nil || id != tt.id || !bytes.Equal(payload, tt.payload) {
			t.Fatalf("Unframe = %d, %v, %v", id, payload, err)
		}
	}
	if got := Frame(0x01020304, nil); !bytes.Equal(got, []byte{0, 1, 2, 3, 4}) {
		t.Fatalf("header = %v, want big-endian id", got)
	}
}

func TestUnframeRejectsBadFraming(t *testing.T) {
	t.Parallel()
	tests := map[string][]byte{
		"empty":       nil,
		"short":       {0, 0, 0, 1},
		"magic 1":     {1, 0, 0, 0, 1, 2},
		"json object": []byte(`{"id":1}`),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, _, err := Unframe(in); !errors.Is(err, ErrBadFraming) {
				t.Fatalf("Unframe = %v, want ErrBadFraming", err)
			}
		})
	}
}
