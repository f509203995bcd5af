package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// LoadOptions shapes the load driven through POST /v1/events (or
// /ingest/engage).
type LoadOptions struct {
	// URL is the ingest endpoint, Token its bearer token.
	URL, Token string
	// Signer, when set, signs each request as Engage does (webhook-id,
	// webhook-timestamp, webhook-signature; the id is the event's) instead
	// of sending the token: the /ingest/engage door, one event per request.
	Signer *webhook.Signer
	// Rate is events/s, paced open loop; 0 means max rate, closed loop.
	Rate float64
	// Batch is events per request (1: a single envelope, not an array).
	Batch int
	// Concurrency is the number of closed-loop clients, and the bound on
	// requests in flight in open loop.
	Concurrency int
	// Duration is how long load is offered.
	Duration time.Duration
	// Backlog, when set with MaxBacklog > 0, holds closed-loop clients back
	// while it reports more than MaxBacklog deliveries outstanding, so max
	// rate measures what flows through the pipeline, not what piles up.
	Backlog    func() int64
	MaxBacklog int64
}

// Load sends events, records the ack time of each accepted one, and counts
// what ingest refused.
type Load struct {
	opts   LoadOptions
	env    *Envelopes
	client *http.Client
	clock  *Clock
	now    func() time.Time

	Acks    Timeline  // ack time per event seq
	Ingest  Histogram // request latency, from the scheduled send time in open loop
	next    atomic.Int64
	acked   atomic.Int64
	failed  atomic.Int64 // events in requests that did not get a 2xx
	refused atomic.Int64 // events in requests answered 503
	stalled atomic.Int64 // open-loop batches that waited for a free client
	errMu   sync.Mutex
	lastErr string
}

// NewLoad returns a Load over client (keep-alive, sized for Concurrency).
func NewLoad(opts LoadOptions, env *Envelopes, client *http.Client, clock *Clock, now func() time.Time) *Load {
	opts.Batch = max(opts.Batch, 1)
	opts.Concurrency = max(opts.Concurrency, 1)
	return &Load{opts: opts, env: env, client: client, clock: clock, now: now}
}

// Sent is the number of events sent (or being sent).
func (l *Load) Sent() int64 { return l.next.Load() }

// Acked is the number of events ingest acknowledged with a 2xx.
func (l *Load) Acked() int64 { return l.acked.Load() }

// Failed is the number of events in requests that did not get a 2xx.
func (l *Load) Failed() int64 { return l.failed.Load() }

// Unavailable is the number of events in requests ingest answered with
// 503 Service Unavailable (Kafka did not take the write in time).
func (l *Load) Unavailable() int64 { return l.refused.Load() }

// Stalled is the number of open-loop batches sent late because every
// client was busy.
func (l *Load) Stalled() int64 { return l.stalled.Load() }

// LastError describes the last refused request, "" if none.
func (l *Load) LastError() string {
	l.errMu.Lock()
	defer l.errMu.Unlock()
	return l.lastErr
}

// Run offers load for the configured duration, then waits for the requests
// in flight (which are not cancelled by the end of the duration, only by
// ctx).
func (l *Load) Run(ctx context.Context) {
	stop, cancel := context.WithTimeout(ctx, l.opts.Duration)
	defer cancel()
	if l.opts.Rate > 0 {
		l.openLoop(ctx, stop)
		return
	}
	l.closedLoop(ctx, stop)
}

func (l *Load) closedLoop(ctx, stop context.Context) {
	var wg sync.WaitGroup
	for range l.opts.Concurrency {
		wg.Go(func() {
			var buf []byte
			for l.holdBack(stop) {
				buf = l.send(ctx, buf, l.now())
			}
		})
	}
	wg.Wait()
}

// holdBack waits while the backlog is over its bound and reports whether
// to keep sending (false once stop is done).
func (l *Load) holdBack(stop context.Context) bool {
	for l.opts.MaxBacklog > 0 && l.opts.Backlog() > l.opts.MaxBacklog && stop.Err() == nil {
		wait(stop, minWait)
	}
	return stop.Err() == nil
}

func (l *Load) openLoop(ctx, stop context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan []byte, l.opts.Concurrency)
	for range l.opts.Concurrency {
		slots <- nil
	}
	p := NewPacer(l.now(), l.opts.Rate, l.opts.Batch)
	for {
		due, pause := p.Due(l.now())
		for _, at := range due {
			buf, ok := l.takeSlot(stop, slots)
			if !ok {
				return
			}
			wg.Go(func() { slots <- l.send(ctx, buf, at) })
		}
		if wait(stop, pause); stop.Err() != nil {
			return
		}
	}
}

// takeSlot returns a free client's buffer, waiting (and counting a stall)
// when every client is busy; false when stop is done.
func (l *Load) takeSlot(stop context.Context, slots chan []byte) ([]byte, bool) {
	select {
	case buf := <-slots:
		return buf, true
	default:
	}
	l.stalled.Add(1)
	select {
	case buf := <-slots:
		return buf, true
	case <-stop.Done():
		return nil, false
	}
}

// send posts one batch scheduled at `at` and records its outcome; it
// returns buf for reuse.
func (l *Load) send(ctx context.Context, buf []byte, at time.Time) []byte {
	n := l.opts.Batch
	first := int(l.next.Add(int64(n))) - n
	buf = l.env.Batch(buf[:0], kindLoad, first, n)
	err := l.post(ctx, buf, first)
	if err != nil {
		l.failed.Add(int64(n))
		if se := (*statusError)(nil); errors.As(err, &se) && se.code == http.StatusServiceUnavailable {
			l.refused.Add(int64(n))
		}
		l.setErr(err)
		return buf
	}
	ack := l.clock.Nanos()
	l.Ingest.Record(l.now().Sub(at))
	for seq := first; seq < first+n; seq++ {
		l.Acks.Set(seq, ack)
	}
	l.acked.Add(int64(n))
	return buf
}

// post sends body (events from seq first on) to ingest; any answer but
// 2xx is an error.
func (l *Load) post(ctx context.Context, body []byte, first int) error {
	if l.opts.Signer == nil {
		return postJSON(ctx, l.client, l.opts.URL, l.opts.Token, body)
	}
	id, now := string(l.env.AppendID(nil, kindLoad, first)), time.Now()
	return postSigned(ctx, l.client, l.opts.URL, webhook.Headers(id, now, l.opts.Signer.Sign(id, now, body), false), body)
}

func (l *Load) setErr(err error) {
	l.errMu.Lock()
	l.lastErr = err.Error()
	l.errMu.Unlock()
}

// postJSON POSTs body with a bearer token and drains the answer; a status
// other than 2xx is an error quoting the start of the answer.
func postJSON(ctx context.Context, client *http.Client, url, token string, body []byte) error {
	return postSigned(ctx, client, url, http.Header{"Authorization": {"Bearer " + token}}, body)
}

// postSigned is postJSON with the given headers instead of a token.
func postSigned(ctx context.Context, client *http.Client, url string, h http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bench: request %s: %w", url, err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("bench: post %s: %w", url, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return &statusError{code: resp.StatusCode, msg: fmt.Sprintf("bench: post %s: %s: %.200s", url, resp.Status, answer)}
	}
	return nil
}

// statusError is a non-2xx answer.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }
