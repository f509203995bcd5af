package schema

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrBadFraming is returned, wrapped, by Unframe for a value that is not in
// Confluent's wire format.
var ErrBadFraming = errors.New("schema: bad framing")

// ErrUndecodable marks a value that will never decode: its writer schema does
// not parse or resolve against ours, or the Avro bytes do not match it. A
// failure to fetch the writer schema is not marked: it may pass on a retry.
var ErrUndecodable = errors.New("undecodable")

const (
	magicByte  = 0
	headerSize = 5 // magic byte + 4-byte big-endian schema id
)

// Frame returns avroBytes prefixed with Confluent's header: magic byte 0
// and the schema id, 4 bytes big-endian.
func Frame(id uint32, avroBytes []byte) []byte {
	out := make([]byte, headerSize+len(avroBytes))
	out[0] = magicByte
	binary.BigEndian.PutUint32(out[1:headerSize], id)
	copy(out[headerSize:], avroBytes)
	return out
}

// Unframe splits a framed value into its schema id and Avro payload, which
// aliases b. It fails with ErrBadFraming when b is shorter than the header
// or does not start with the magic byte.
func Unframe(b []byte) (id uint32, payload []byte, err error) {
	if len(b) < headerSize {
		return 0, nil, fmt.Errorf("%w: %d bytes, want at least %d", ErrBadFraming, len(b), headerSize)
	}
	if b[0] != magicByte {
		return 0, nil, fmt.Errorf("%w: magic byte %d, want %d", ErrBadFraming, b[0], magicByte)
	}
	return binary.BigEndian.Uint32(b[1:headerSize]), b[headerSize:], nil
}
