package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"sync"
	"time"
)

// HeaderIdempotencyKey makes a POST /v1/events idempotent: the same key
// with the same body within ingest.idempotency_window gets the first
// response again and writes nothing; with another body, 422.
const HeaderIdempotencyKey = "Idempotency-Key"

// HeaderIdempotentReplayed marks a response that is a stored one, replayed.
const HeaderIdempotentReplayed = "Idempotent-Replayed"

// maxIdempotencyKey caps a key's length.
const maxIdempotencyKey = 255

// stored is the first response to an idempotent request.
type stored struct {
	sum      [sha256.Size]byte // of the request body
	status   int
	response []byte
	at       time.Time
}

func (s *stored) size() int { return len(s.response) + 128 }

// responses remembers the first response to each Idempotency-Key for ttl,
// within maxBytes (the oldest forgotten first), and which keys are being
// answered right now, so that a concurrent retry waits for the first
// answer instead of writing again. It is safe for concurrent use.
type responses struct {
	mu       sync.Mutex
	ttl      time.Duration
	maxBytes int
	bytes    int
	byKey    map[string]*stored
	order    []string // keys, oldest first
	inflight map[string]chan struct{}
	now      func() time.Time
}

func newResponses(ttl time.Duration, maxBytes int, now func() time.Time) *responses {
	return &responses{ttl: ttl, maxBytes: maxBytes, byKey: map[string]*stored{}, inflight: map[string]chan struct{}{}, now: now}
}

// acquire returns the stored response of key, or nil when there is none
// within the window: then the caller owns key and must call release.
// While another request owns key it waits (for ctx at most).
func (r *responses) acquire(ctx context.Context, key string) (*stored, error) {
	for {
		r.mu.Lock()
		if s := r.lookup(key); s != nil {
			r.mu.Unlock()
			return s, nil
		}
		wait, busy := r.inflight[key]
		if !busy {
			r.inflight[key] = make(chan struct{})
			r.mu.Unlock()
			return nil, nil
		}
		r.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release gives up key, remembering s when it is not nil.
func (r *responses) release(key string, s *stored) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s != nil {
		r.add(key, s)
	}
	if ch, ok := r.inflight[key]; ok {
		delete(r.inflight, key)
		close(ch)
	}
}

// remember records a response another replica (or this one, before a
// restart) stored.
func (r *responses) remember(key string, s *stored) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if cur, ok := r.byKey[key]; !ok || cur.at.After(s.at) {
		r.add(key, s)
	}
}

// Len is how many responses are remembered.
func (r *responses) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.byKey)
}

func (r *responses) lookup(key string) *stored {
	s := r.byKey[key]
	if s == nil || r.now().Sub(s.at) >= r.ttl {
		return nil
	}
	return s
}

func (r *responses) add(key string, s *stored) {
	if old, ok := r.byKey[key]; ok {
		r.bytes -= old.size()
	} else {
		r.order = append(r.order, key)
	}
	r.byKey[key] = s
	r.bytes += s.size()
	now := r.now()
	for len(r.order) > 1 && (r.bytes > r.maxBytes || now.Sub(r.byKey[r.order[0]].at) >= r.ttl) {
		oldest := r.order[0]
		r.order = r.order[1:]
		r.bytes -= r.byKey[oldest].size()
		delete(r.byKey, oldest)
	}
}

// idempotencyKey reads the Idempotency-Key header: "" when absent; 400
// naming it when it is longer than 255 characters or not printable ASCII.
func idempotencyKey(r *http.Request) (string, *failure) {
	key := strings.TrimSpace(r.Header.Get(HeaderIdempotencyKey))
	if len(key) > maxIdempotencyKey {
		return "", badKey("longer than 255 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", badKey("must be printable ASCII")
		}
	}
	return key, nil
}

func badKey(reason string) *failure {
	return &failure{status: http.StatusBadRequest, code: "invalid_idempotency_key", message: HeaderIdempotencyKey + ": " + reason, outcome: outcomeMalformed}
}

// idempotentAPI answers an API request carrying key: the stored response
// when key was answered before with the same body, 422 when with another
// body, else the request is served, and its 2xx response stored (and
// shared with the other replicas) before it is sent.
func (in *Ingest) idempotentAPI(w http.ResponseWriter, r *http.Request, key string, body []byte, tr *traced) *failure {
	if !in.idemReady.Load() {
		return unavailable("starting", "ingest is rebuilding its idempotency window", 1)
	}
	sum := sha256.Sum256(body)
	prev, err := in.responses.acquire(r.Context(), key)
	if err != nil {
		return unavailable("canceled", "request canceled", 1)
	}
	if prev != nil {
		return replay(w, prev, sum)
	}
	var first *stored
	defer func() { in.responses.release(key, first) }()
	rec := &capture{header: http.Header{}}
	if f := in.publishAPI(rec, r, body, tr); f != nil {
		return f
	}
	first = &stored{sum: sum, status: rec.status, response: rec.body.Bytes(), at: in.now()}
	in.shareResponse(r.Context(), key, first)
	rec.writeTo(w)
	return nil
}

func replay(w http.ResponseWriter, s *stored, sum [sha256.Size]byte) *failure {
	if s.sum != sum {
		return invalid(HeaderIdempotencyKey + ": already used with a different body within the idempotency window; use a new key")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set(HeaderIdempotentReplayed, "true")
	w.WriteHeader(s.status)
	_, _ = w.Write(s.response)
	return nil
}

// capture is a ResponseWriter keeping what the handler wrote.
type capture struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header { return c.header }

func (c *capture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func (c *capture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return c.body.Write(b)
}

func (c *capture) writeTo(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body.Bytes())
}
