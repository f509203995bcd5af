package delivery

import (
	"context"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/schema"
)

// ErrUndecodable marks a Decoder error as permanent: the record can never be
// turned into a webhook body (bad framing, bytes the writer schema cannot
// read, a schema id the registry does not know), so it is dead-lettered at
// once. Decoders wrap it: fmt.Errorf("%w: %w", delivery.ErrUndecodable, err).
// schema.ErrBadFraming counts as permanent too. Every other Decoder error
// (a registry outage, a timeout) is retried with backoff, indefinitely: it is
// not the receiver's fault, so it neither burns the retry schedule nor trips
// the circuit breaker.
var ErrUndecodable = errors.New("delivery: undecodable record")

// Backoff between attempts to decode one record.
const (
	decodeRetryMin = time.Second
	decodeRetryMax = time.Minute
)

func undecodable(err error) bool {
	return errors.Is(err, ErrUndecodable) || errors.Is(err, schema.ErrBadFraming)
}

// decode returns j's webhook body. ok is false when j did not get one: then v
// says whether it was settled (dead-lettered as undecodable) or abandoned
// because ctx (the hard stop) ended.
func (w *Worker) decode(ctx context.Context, j *job) (body []byte, v verdict, ok bool) {
	wait := decodeRetryMin
	for n := 1; ; n++ {
		body, err := w.deps.Decoder.Body(ctx, j.msg.Value)
		switch {
		case err == nil:
			return body, verdict{}, true
		case ctx.Err() != nil:
			return nil, verdict{}, false
		case undecodable(err):
			return nil, w.deadLetter(ctx, j, Result{Err: err}, Outcome{Kind: DeadLetter, Class: "decode"}), false
		}
		w.log.Warn("decode failed; retrying", zap.String("event_id", j.id), zap.Int("attempt", n),
			zap.Duration("duration", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return nil, verdict{}, false
		case <-w.clock.After(wait):
		}
		wait = min(2*wait, decodeRetryMax)
	}
}
