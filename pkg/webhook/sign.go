package webhook

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// versionPrefix marks a symmetric HMAC-SHA256 signature.
const versionPrefix = "v1,"

// ErrNoSecrets reports a Signer or Verifier built without any secret.
var ErrNoSecrets = errors.New("webhook: no secrets")

// Sign returns "v1,<base64 HMAC-SHA256(secret, msgID.unix(ts).body)>", the
// Standard Webhooks signature of one message under one secret. It allocates
// a fresh HMAC per call; use a Signer on a hot path.
func Sign(secret Secret, msgID string, ts time.Time, body []byte) string {
	var sum encodedSum
	newMACState(secret).encode(&sum, msgID, ts.Unix(), body)
	return versionPrefix + string(sum[:])
}

// Signer signs messages with every active secret of one subscription, for
// rotation: the header value lists one "v1," signature per secret, and a
// receiver accepts the message if any of them matches its own secret.
// A Signer is safe for concurrent use; it is immutable once built, so a
// rotation builds a new one.
type Signer struct {
	keys []*macKey
	ed   []SigningKey
}

// NewSigner returns a Signer for secrets, newest first by convention. The
// secrets are copied. It fails if there is none or one is empty.
func NewSigner(secrets ...Secret) (*Signer, error) {
	keys, err := newMACKeys(secrets)
	if err != nil {
		return nil, err
	}
	return &Signer{keys: keys}, nil
}

// NewKeySigner returns a Signer for HMAC secrets and Ed25519 signing keys,
// each newest first: the header lists the "v1," signatures, then the
// "v1a," ones. Either list may be empty, not both (a subscription moving
// from one scheme to the other signs with both during the grace period).
func NewKeySigner(secrets []Secret, keys []SigningKey) (*Signer, error) {
	s := &Signer{}
	if len(secrets) > 0 {
		macs, err := newMACKeys(secrets)
		if err != nil {
			return nil, err
		}
		s.keys = macs
	}
	for i, k := range keys {
		if k.IsZero() {
			return nil, fmt.Errorf("%w: signing key %d is empty", ErrInvalidSecret, i)
		}
	}
	s.ed = append([]SigningKey(nil), keys...)
	if len(s.keys) == 0 && len(s.ed) == 0 {
		return nil, ErrNoSecrets
	}
	return s, nil
}

// Sign returns the webhook-signature header value: one "v1,<base64>" entry
// per secret, then one "v1a,<base64>" per signing key, separated by single
// spaces. With HMAC secrets only it makes one allocation.
func (s *Signer) Sign(msgID string, ts time.Time, body []byte) string {
	var b strings.Builder
	b.Grow(len(s.keys)*(len(versionPrefix)+encodedSumLen+1) + len(s.ed)*(len(asymmetricPrefix)+encodedEd25519Len+1))
	var sum encodedSum
	unix := ts.Unix()
	for i, k := range s.keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(versionPrefix)
		k.encode(&sum, msgID, unix, body)
		b.Write(sum[:])
	}
	for _, k := range s.ed {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(SignEd25519(k, msgID, ts, body))
	}
	return b.String()
}

func newMACKeys(secrets []Secret) ([]*macKey, error) {
	if len(secrets) == 0 {
		return nil, ErrNoSecrets
	}
	keys := make([]*macKey, len(secrets))
	for i, s := range secrets {
		if len(s) == 0 {
			return nil, fmt.Errorf("%w: secret %d is empty", ErrInvalidSecret, i)
		}
		keys[i] = newMACKey(s)
	}
	return keys, nil
}
