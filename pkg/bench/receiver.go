package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// Endpoint is one webhook endpoint of the Receiver: it verifies the
// signature, records the first arrival time of each event and counts the
// rest as duplicates. A failing endpoint answers every request with 503.
type Endpoint struct {
	verifier atomic.Pointer[webhook.Verifier]
	delay    time.Duration
	failing  bool
	arrivals Timeline

	delivered  atomic.Int64 // first arrivals of measured events
	duplicates atomic.Int64 // further arrivals of an event already recorded
	rejected   atomic.Int64 // bad signature or unparsable body: 401/400
	refused    atomic.Int64 // requests a failing endpoint answered 503
	warmedUp   atomic.Int64 // highest warm-up probe seen, plus one
	ready      sync.Map     // start-up probes seen, by seq
	readyCount atomic.Int64 // distinct start-up probes seen
	readyLast  atomic.Int64 // latest first arrival of a start-up probe (Clock nanos)
}

// SetSecret makes the endpoint verify signatures against secret.
func (ep *Endpoint) SetSecret(secret webhook.Secret) error {
	v, err := webhook.NewVerifier([]webhook.Secret{secret}, 0, nil)
	if err != nil {
		return fmt.Errorf("bench: receiver secret: %w", err)
	}
	ep.verifier.Store(v)
	return nil
}

// Delivered is the number of distinct measured events received.
func (ep *Endpoint) Delivered() int64 { return ep.delivered.Load() }

// Duplicates is the number of arrivals of events already received.
func (ep *Endpoint) Duplicates() int64 { return ep.duplicates.Load() }

// Rejected counts requests refused for a bad signature or body.
func (ep *Endpoint) Rejected() int64 { return ep.rejected.Load() }

// Refused counts the requests a failing endpoint answered with 503.
func (ep *Endpoint) Refused() int64 { return ep.refused.Load() }

// Arrival returns the first arrival time of event seq (Clock nanos), 0 if none.
func (ep *Endpoint) Arrival(seq int) int64 { return ep.arrivals.Get(seq) }

// WarmedUp reports whether warm-up probe seq (or a later one) arrived.
func (ep *Endpoint) WarmedUp(seq int) bool { return ep.warmedUp.Load() > int64(seq) }

// ReadyProbes is the number of distinct start-up probes received and the
// time the last new one arrived (Clock nanos).
func (ep *Endpoint) ReadyProbes() (int64, int64) { return ep.readyCount.Load(), ep.readyLast.Load() }

// Receiver is the local HTTP/1.1 server that stands for every subscriber:
// POST /hook/{i} is endpoint i, POST /baseline the bare-client baseline's.
type Receiver struct {
	Endpoints  []*Endpoint
	Baseline   *Endpoint
	verify     bool
	clock      *Clock
	sharedHost bool
	servers    []*http.Server
	addrs      []string
	done       []chan error
}

// ReceiverOptions shapes a Receiver.
type ReceiverOptions struct {
	// Endpoints is the number of subscription endpoints.
	Endpoints int
	// Failing endpoints (the last ones) answer 503.
	Failing int
	// Added endpoints follow the others, for subscriptions made during the
	// run: healthy, never slow.
	Added int
	// Slow endpoints (the first ones) wait Delay before answering.
	Slow  int
	Delay time.Duration
	// Verify checks every request's signature (on in both the engagehub run
	// and the baseline, so both pay for it).
	Verify bool
	// SharedHost serves every endpoint on one host:port, so the sender's
	// per-host connection limit is shared by all subscriptions.
	SharedHost bool
}

// NewReceiver returns a Receiver; Start serves it.
func NewReceiver(opts ReceiverOptions, clock *Clock) *Receiver {
	r := &Receiver{verify: opts.Verify, clock: clock, Baseline: &Endpoint{}, sharedHost: opts.SharedHost}
	for i := range opts.Endpoints + opts.Added {
		ep := &Endpoint{failing: i >= opts.Endpoints-opts.Failing && i < opts.Endpoints}
		if i < opts.Slow && !ep.failing {
			ep.delay = opts.Delay
		}
		r.Endpoints = append(r.Endpoints, ep)
	}
	return r
}

// Start listens on free loopback ports — one per endpoint, as distinct
// subscribers would be distinct hosts to the sender's connection pools,
// or one for all with SharedHost — and serves until Close.
func (r *Receiver) Start() error {
	n := 1
	if !r.sharedHost {
		n = len(r.Endpoints) + 1 // the last one is the baseline's
	}
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			_ = r.Close()
			return fmt.Errorf("bench: receiver listen: %w", err)
		}
		srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		r.addrs = append(r.addrs, ln.Addr().String())
		r.servers = append(r.servers, srv)
		r.done = append(r.done, done)
	}
	return nil
}

// Close stops the servers and waits for them.
func (r *Receiver) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for i, srv := range r.servers {
		errs = append(errs, srv.Shutdown(ctx))
		if serr := <-r.done[i]; !errors.Is(serr, http.ErrServerClosed) {
			errs = append(errs, serr)
		}
	}
	r.servers, r.done = nil, nil
	return errors.Join(errs...)
}

// URL is endpoint i's address.
func (r *Receiver) URL(i int) string {
	return "http://" + r.addrs[min(i, len(r.addrs)-1)] + "/hook/" + strconv.Itoa(i)
}

// BaselineURL is the baseline endpoint's address.
func (r *Receiver) BaselineURL() string { return "http://" + r.addrs[len(r.addrs)-1] + "/baseline" }

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// ServeHTTP routes to an endpoint and handles the request there.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	ep := r.route(req)
	if ep == nil || req.Method != http.MethodPost {
		http.NotFound(w, req)
		return
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	defer bodyPool.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(req.Body, 8<<20)); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	at := r.clock.Nanos()
	status := r.accept(ep, req.Header, buf.Bytes(), at)
	if status == http.StatusOK && ep.delay > 0 {
		wait(req.Context(), ep.delay)
	}
	w.WriteHeader(status)
}

func (r *Receiver) route(req *http.Request) *Endpoint {
	if req.URL.Path == "/baseline" {
		return r.Baseline
	}
	rest, ok := bytes.CutPrefix([]byte(req.URL.Path), []byte("/hook/"))
	if !ok {
		return nil
	}
	i, err := strconv.Atoi(string(rest))
	if err != nil || i < 0 || i >= len(r.Endpoints) {
		return nil
	}
	return r.Endpoints[i]
}

// accept verifies and records one request and returns the status to answer.
func (r *Receiver) accept(ep *Endpoint, h http.Header, body []byte, at int64) int {
	if ep.failing {
		ep.refused.Add(1)
		return http.StatusServiceUnavailable
	}
	if r.verify {
		v := ep.verifier.Load()
		if v == nil {
			ep.rejected.Add(1)
			return http.StatusUnauthorized
		}
		if _, err := v.Verify(h, body); err != nil {
			ep.rejected.Add(1)
			return http.StatusUnauthorized
		}
	}
	kind, seq, ok := parseEventID(h, body)
	if !ok {
		ep.rejected.Add(1)
		return http.StatusBadRequest
	}
	ep.record(kind, seq, at)
	return http.StatusOK
}

func (ep *Endpoint) record(kind byte, seq int, at int64) {
	switch kind {
	case kindWarmup:
		raiseTo(&ep.warmedUp, int64(seq)+1)
		return
	case kindReady:
		if _, seen := ep.ready.LoadOrStore(seq, true); !seen {
			ep.readyCount.Add(1)
			raiseTo(&ep.readyLast, at)
		}
		return
	}
	if ep.arrivals.Set(seq, at) {
		ep.delivered.Add(1)
	} else {
		ep.duplicates.Add(1)
	}
}

// raiseTo sets a to v if v is larger.
func raiseTo(a *atomic.Int64, v int64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// wait blocks for d or until ctx is done.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
