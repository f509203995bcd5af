package delivery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/schema"
)

// flakyDecoder fails the first `fails` calls with err, then decodes raw.
type flakyDecoder struct {
	fails int32
	err   error
	calls atomic.Int32
}

func (d *flakyDecoder) Body(_ context.Context, v []byte) ([]byte, error) {
	if d.calls.Add(1) <= d.fails {
		return nil, d.err
	}
	return v, nil
}

// A registry outage makes decoding fail: the record is retried with a
// doubling backoff on the worker's clock and delivered when decoding
// recovers, never dead-lettered.
func TestDecodeErrorsRetryWithBackoff(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	rcv, srv := testReceiver(t, nil, clock.Now)
	b := newMemBroker()
	dec := &flakyDecoder{fails: 3, err: errors.New("schema: registry: connection refused")}
	_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
	runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Clock: clock, Decoder: dec})
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		eventually(t, 5*time.Second, func() bool { return dec.calls.Load() == int32(i+1) }, fmt.Sprintf("decode call %d", i+1))
		clock.waitWaiters(t, 1)
		clock.Advance(wait - time.Millisecond)
		if n := dec.calls.Load(); n != int32(i+1) {
			t.Fatalf("decode retried after %s, before its backoff %s", wait-time.Millisecond, wait)
		}
		clock.Advance(time.Millisecond)
	}
	waitArrivals(t, rcv, 1)
	waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
	if n := len(b.records("engagehub.dlq.sub")); n != 0 {
		t.Fatalf("dead letters = %d, want 0: a decode outage must not dead-letter", n)
	}
}

// Only a permanently undecodable record goes to the dead-letter topic, at once.
func TestUndecodableRecordsDeadLetterAtOnce(t *testing.T) {
	t.Parallel()
	cases := map[string]error{
		"ErrUndecodable": fmt.Errorf("%w: schema id 7: unknown union branch", ErrUndecodable),
		"bad framing":    fmt.Errorf("decode: %w: magic byte 123, want 0", schema.ErrBadFraming),
	}
	for name, err := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rcv, srv := testReceiver(t, nil, nil)
			b := newMemBroker()
			dec := &flakyDecoder{fails: 1 << 30, err: err}
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			runWorker(t, testConfig(), Endpoint{URL: srv.URL}, Deps{Broker: b, Sink: b, Decoder: dec})
			waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
			assertDeadLetter(t, b, "decode", 0)
			if dec.calls.Load() != 1 || len(rcv.Arrivals()) != 0 {
				t.Fatalf("decode calls = %d, arrivals = %d; want 1 and 0", dec.calls.Load(), len(rcv.Arrivals()))
			}
		})
	}
}

// A destination URL that can never be posted to is a permanent failure:
// dead-lettered after one attempt (class "destination"), never retried as a
// connection error, and the URL is not quoted in the dead letter.
func TestMalformedDestinationDeadLetters(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"http://user:s3cret@[::1", "ftp://user:s3cret@example.com/x", "http:///nohost", "::not-a-url"} {
		t.Run(url, func(t *testing.T) {
			t.Parallel()
			b := newMemBroker()
			cfg := testConfig()
			cfg.RetrySchedule = []time.Duration{0, time.Millisecond, time.Millisecond}
			_ = b.WriteMessages(context.Background(), record("engagehub.deliver.sub", "c1", "e1"))
			runWorker(t, cfg, Endpoint{URL: url}, Deps{Broker: b, Sink: b})
			waitCommitted(t, b, "engagehub.deliver.sub", "engagehub-sender")
			assertDeadLetter(t, b, "destination", 1)
			if e := header(b.records("engagehub.dlq.sub")[0], event.HeaderDLQError); containsAny(e, "s3cret", url) {
				t.Fatalf("dead letter quotes the URL: %q", e)
			}
		})
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
