package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is how far a message's timestamp may be from now, either
// way, when NewVerifier is given no tolerance.
const DefaultTolerance = 5 * time.Minute

// Verification errors. Every error Verify returns is one of these; callers
// answer all of them with 401.
var (
	ErrMissingHeaders   = errors.New("webhook: missing signature headers")
	ErrInvalidTimestamp = errors.New("webhook: invalid timestamp")
	ErrTimestampTooOld  = errors.New("webhook: timestamp too old")
	ErrTimestampTooNew  = errors.New("webhook: timestamp too new")
	ErrInvalidSignature = errors.New("webhook: no matching signature")
)

// Verifier checks signed webhooks against several secrets (rotation: a
// message signed with any of them is accepted). It is safe for concurrent
// use and immutable; a rotation builds a new one.
type Verifier struct {
	keys      []*macKey
	pub       []PublicKey
	tolerance time.Duration
	now       func() time.Time
}

// NewVerifier returns a Verifier for secrets. tolerance ≤ 0 means
// DefaultTolerance; a nil now means time.Now. It fails if there is no
// secret or one is empty.
func NewVerifier(secrets []Secret, tolerance time.Duration, now func() time.Time) (*Verifier, error) {
	keys, err := newMACKeys(secrets)
	if err != nil {
		return nil, err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	if now == nil {
		now = time.Now
	}
	return &Verifier{keys: keys, tolerance: tolerance, now: now}, nil
}

// NewKeyVerifier returns a Verifier that accepts a "v1," signature under
// one of secrets or a "v1a," (Ed25519) signature under one of keys.
// Either list may be empty, not both.
func NewKeyVerifier(secrets []Secret, keys []PublicKey, tolerance time.Duration, now func() time.Time) (*Verifier, error) {
	if len(secrets) == 0 && len(keys) == 0 {
		return nil, ErrNoSecrets
	}
	v := &Verifier{tolerance: tolerance, now: now}
	if len(secrets) > 0 {
		var err error
		if v, err = NewVerifier(secrets, tolerance, now); err != nil {
			return nil, err
		}
	}
	for i, k := range keys {
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: public key %d must be %d bytes", ErrInvalidSecret, i, ed25519.PublicKeySize)
		}
	}
	v.pub = append([]PublicKey(nil), keys...)
	if v.tolerance <= 0 {
		v.tolerance = DefaultTolerance
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify checks body against the webhook-* headers in h, or, when those are
// not all present, the svix-* headers. The timestamp must be within the
// tolerance of now, and one "v1," entry of the space-separated signature
// list must match one secret, or one "v1a," entry verify under one public
// key; other versions are ignored. On success it
// returns the message id, for deduplication.
func (v *Verifier) Verify(h http.Header, body []byte) (msgID string, err error) {
	msgID, rawTS, sigs, ok := signedHeaders(h)
	if !ok {
		return "", ErrMissingHeaders
	}
	ts, err := strconv.ParseInt(rawTS, 10, 64)
	if err != nil {
		return "", ErrInvalidTimestamp
	}
	if err := v.checkTime(ts); err != nil {
		return "", err
	}
	if !v.matches(msgID, ts, body, sigs) {
		return "", ErrInvalidSignature
	}
	return msgID, nil
}

// signedHeaders returns the id, timestamp and signature headers of the first
// complete family: webhook-* then svix-*.
func signedHeaders(h http.Header) (id, ts, sigs string, ok bool) {
	id, ts, sigs = h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if id != "" && ts != "" && sigs != "" {
		return id, ts, sigs, true
	}
	id, ts, sigs = h.Get(SvixHeaderID), h.Get(SvixHeaderTimestamp), h.Get(SvixHeaderSignature)
	return id, ts, sigs, id != "" && ts != "" && sigs != ""
}

// checkTime accepts ts (Unix seconds) within ±tolerance of now, inclusive.
func (v *Verifier) checkTime(ts int64) error {
	now := v.now().Unix()
	tol := int64(v.tolerance / time.Second)
	switch {
	case ts < now-tol:
		return ErrTimestampTooOld
	case ts > now+tol:
		return ErrTimestampTooNew
	}
	return nil
}

// matches reports whether any "v1," entry in sigs equals the signature under
// any secret, comparing in constant time.
func (v *Verifier) matches(msgID string, ts int64, body []byte, sigs string) bool {
	var want encodedSum
	for _, k := range v.keys {
		k.encode(&want, msgID, ts, body)
		for entry := range strings.FieldsSeq(sigs) {
			got, ok := strings.CutPrefix(entry, versionPrefix)
			if ok && len(got) == encodedSumLen && hmac.Equal([]byte(got), want[:]) {
				return true
			}
		}
	}
	return v.matchesEd25519(msgID, ts, body, sigs)
}

// matchesEd25519 reports whether any "v1a," entry in sigs verifies under
// any public key.
func (v *Verifier) matchesEd25519(msgID string, ts int64, body []byte, sigs string) bool {
	if len(v.pub) == 0 {
		return false
	}
	var content []byte
	for entry := range strings.FieldsSeq(sigs) {
		b64, ok := strings.CutPrefix(entry, asymmetricPrefix)
		if !ok {
			continue
		}
		sig, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(sig) != ed25519.SignatureSize {
			continue
		}
		if content == nil {
			content = signedContent(msgID, ts, body)
		}
		for _, k := range v.pub {
			if ed25519.Verify(ed25519.PublicKey(k), content, sig) {
				return true
			}
		}
	}
	return false
}
