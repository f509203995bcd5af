package kafkatest

import (
	"context"
	"sync"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// RecordingSink is a fake writer (the WriteMessages of *kafka.Writer) that
// keeps every message written, or fails every call with the error set by
// SetErr. It is safe for concurrent use.
type RecordingSink struct {
	mu    sync.Mutex
	msgs  []kafka.Message
	calls int
	err   error
}

// WriteMessages records msgs, or returns the error set by SetErr.
func (s *RecordingSink) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.err != nil {
		return s.err
	}
	s.msgs = append(s.msgs, msgs...)
	return nil
}

// SetErr makes later writes fail with err (nil: succeed again).
func (s *RecordingSink) SetErr(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.err = err
}

// Snapshot returns how many WriteMessages calls were made and a copy of the
// messages written.
func (s *RecordingSink) Snapshot() (calls int, msgs []kafka.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls, append([]kafka.Message(nil), s.msgs...)
}
