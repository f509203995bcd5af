package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"sync"
)

// encodedSumLen is base64.StdEncoding.EncodedLen(sha256.Size).
const encodedSumLen = 44

// encodedSum holds one base64 HMAC-SHA256 sum.
type encodedSum [encodedSumLen]byte

// macState is one keyed HMAC with scratch space; it is not safe for
// concurrent use.
type macState struct {
	h   hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

func newMACState(key []byte) *macState {
	return &macState{h: hmac.New(sha256.New, key), buf: make([]byte, 0, 64)}
}

// encode writes base64(HMAC-SHA256(key, "msgID.ts.body")) to dst. The body is
// written to the HMAC directly, never copied into the signed string.
func (st *macState) encode(dst *encodedSum, msgID string, ts int64, body []byte) {
	st.buf = append(st.buf[:0], msgID...)
	st.buf = append(st.buf, '.')
	st.buf = strconv.AppendInt(st.buf, ts, 10)
	st.buf = append(st.buf, '.')
	st.h.Reset()
	st.h.Write(st.buf)
	st.h.Write(body)
	base64.StdEncoding.Encode(dst[:], st.h.Sum(st.sum[:0]))
}

// macKey signs with one secret from any goroutine, reusing HMAC states
// through a sync.Pool: hmac.New costs two SHA-256 states and key padding
// per call, which the pool saves on the delivery hot path.
type macKey struct {
	pool sync.Pool
}

func newMACKey(secret Secret) *macKey {
	key := bytes.Clone(secret)
	k := &macKey{}
	k.pool.New = func() any { return newMACState(key) }
	return k
}

func (k *macKey) encode(dst *encodedSum, msgID string, ts int64, body []byte) {
	st := k.pool.Get().(*macState)
	st.encode(dst, msgID, ts, body)
	k.pool.Put(st)
}
