package receiver

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// maxBody caps a request body the receiver reads.
const maxBody = 1 << 20

// Arrival is one request as the receiver saw it.
type Arrival struct {
	MsgID    string // webhook-id (or svix-id)
	Body     []byte
	Header   http.Header
	Verified bool  // the signature matched
	Err      error // why verification failed
	Attempt  int   // 1 for the first arrival of MsgID, 2 for its second, ...
	Status   int   // what the receiver answered
	At       time.Time
}

// Script decides the answer to an arrival: a status and optional headers
// (e.g. Retry-After). nil answers 204.
type Script func(a Arrival) (status int, header http.Header)

// Options configure a Receiver.
type Options struct {
	// Verifier checks signatures; nil accepts unsigned requests (Verified false).
	Verifier *webhook.Verifier
	// Script answers verified arrivals; nil means 204. Unverified ones get 401.
	Script Script
	// Out, when set, gets one line per arrival.
	Out io.Writer
	// Now stamps arrivals; nil means time.Now.
	Now func() time.Time
	// Keep bounds the arrivals kept in memory (the newest) and, at 8×Keep
	// ids, the attempt counters; 0 keeps all, which suits tests but not a
	// long-running receiver.
	Keep int
}

// Receiver is the handler. It is safe for concurrent use.
type Receiver struct {
	opts     Options
	mu       sync.Mutex
	arrivals []Arrival
	seen     map[string]int
	notify   chan struct{}
}

// New returns a Receiver.
func New(opts Options) *Receiver {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Receiver{opts: opts, seen: map[string]int{}, notify: make(chan struct{})}
}

// ServeHTTP verifies, records and answers one webhook.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	a := r.check(req.Header, body)
	status, h := http.StatusUnauthorized, http.Header(nil)
	if a.Verified || r.opts.Verifier == nil {
		status, h = r.answer(a)
	}
	a.Status = status
	r.record(a)
	for k, vs := range h {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
}

func (r *Receiver) check(h http.Header, body []byte) Arrival {
	a := Arrival{Body: body, Header: h.Clone(), At: r.opts.Now()}
	a.MsgID = firstNonEmpty(h.Get(webhook.HeaderID), h.Get(webhook.SvixHeaderID))
	if r.opts.Verifier != nil {
		_, a.Err = r.opts.Verifier.Verify(h, body)
		a.Verified = a.Err == nil
	}
	r.mu.Lock()
	if k := r.opts.Keep; k > 0 && len(r.seen) >= 8*k {
		r.seen = map[string]int{} // bounded: attempt counts restart for old ids
	}
	r.seen[a.MsgID]++
	a.Attempt = r.seen[a.MsgID]
	r.mu.Unlock()
	return a
}

func (r *Receiver) answer(a Arrival) (int, http.Header) {
	if r.opts.Script == nil {
		return http.StatusNoContent, nil
	}
	return r.opts.Script(a)
}

func (r *Receiver) record(a Arrival) {
	r.mu.Lock()
	r.arrivals = append(r.arrivals, a)
	if k := r.opts.Keep; k > 0 && len(r.arrivals) > 2*k {
		r.arrivals = append(r.arrivals[:0], r.arrivals[len(r.arrivals)-k:]...)
	}
	close(r.notify)
	r.notify = make(chan struct{})
	r.mu.Unlock()
	if r.opts.Out != nil {
		verdict := "verified"
		if a.Err != nil {
			verdict = a.Err.Error()
		}
		_, _ = fmt.Fprintf(r.opts.Out, "%s %s attempt=%d status=%d %s %s\n",
			a.At.Format(time.RFC3339Nano), a.MsgID, a.Attempt, a.Status, verdict, a.Body)
	}
}

// Arrivals returns a copy of everything received so far, in arrival order.
func (r *Receiver) Arrivals() []Arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Arrival(nil), r.arrivals...)
}

// Wait blocks until cond holds for the arrivals or timeout passes; it
// reports whether cond held.
func (r *Receiver) Wait(timeout time.Duration, cond func([]Arrival) bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		r.mu.Lock()
		ok, ch := cond(r.arrivals), r.notify
		r.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return false
		}
	}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
