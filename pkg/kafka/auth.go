package kafka

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
)

// ErrAuthentication marks an error caused by the broker refusing our SASL
// credentials. It is not retriable: start-up should stop and say so.
var ErrAuthentication = errors.New("authentication failed")

// Authentication states of the most recent SASL exchange.
const (
	authIdle int32 = iota
	authStarted
	authDone
)

// authWatch wraps a SASL mechanism to remember whether the most recent
// exchange started but never completed. Brokers answer bad credentials
// either with SASL_AUTHENTICATION_FAILED or by closing the connection (the
// embedded broker does), and kafka-go may surface the latter as a bare
// "unexpected EOF"; the watch tells the two apart from a broker going away.
type authWatch struct {
	sasl.Mechanism
	user string
	last atomic.Int32
}

func (w *authWatch) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	sm, ir, err := w.Mechanism.Start(ctx)
	if err != nil {
		return nil, nil, err
	}
	w.last.Store(authStarted)
	return &watchedSession{StateMachine: sm, w: w}, ir, nil
}

type watchedSession struct {
	sasl.StateMachine
	w *authWatch
}

func (s *watchedSession) Next(ctx context.Context, challenge []byte) (bool, []byte, error) {
	done, resp, err := s.StateMachine.Next(ctx, challenge)
	if done && err == nil {
		s.w.last.Store(authDone)
	}
	return done, resp, err
}

// authError returns err marked as ErrAuthentication, naming the mechanism
// and user (never the password), when it was caused by rejected credentials.
func (c *Client) authError(err error) error {
	if c.auth == nil || err == nil {
		return err
	}
	if !errors.Is(err, kafkago.SASLAuthenticationFailed) && c.auth.last.Load() != authStarted {
		return err
	}
	return fmt.Errorf("%w: the broker rejected SASL %s credentials for user %q "+
		"(check kafka.security.sasl.username and kafka.security.sasl.password): %v",
		ErrAuthentication, c.auth.Name(), c.auth.user, err)
}
