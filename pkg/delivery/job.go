package delivery

import (
	"fmt"
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// job is one fetched record on its way to being settled.
type job struct {
	msg       kafka.Message
	id, typ   string
	key       string
	attempts  int       // attempts already made
	returning bool      // back from a retry tier
	parked    bool      // a follower parked behind its contact's head
	due       time.Time // back from a retry tier: when it was due
	bad       error     // retry metadata that cannot be trusted: dead-letter it
	// heldOpen: the circuit was open once the last attempt's outcome was
	// recorded (read before its slot went to the next attempt).
	heldOpen bool
}

// newJob reads m's headers. Every header is untrusted input: a retry count
// that is not a small non-negative number makes the job bad (dead-lettered
// with the reason), never a panic.
func newJob(m kafka.Message, maxAttempts int) *job {
	j := &job{msg: m, id: jobID(m), typ: header(m, event.HeaderEventType), key: string(m.Key)}
	raw, ok := lookupHeader(m, event.HeaderRetryAttempt)
	if !ok {
		return j
	}
	j.returning = true
	j.parked = header(m, event.HeaderRetryParked) == "true"
	j.due = headerTime(m, event.HeaderRetryDue)
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil || n < 0:
		j.bad = fmt.Errorf("header %s: want a count ≥ 0, got %q", event.HeaderRetryAttempt, raw)
	case n > maxAttempts:
		j.bad = fmt.Errorf("header %s: %d exceeds the %d attempts of the schedule", event.HeaderRetryAttempt, n, maxAttempts)
	default:
		j.attempts = n
	}
	return j
}

// verdict is how processing a job ended.
type verdict struct {
	settled bool      // delivered, or durably handed to a tier or the DLQ
	tier    string    // set when the job went to a retry tier as its contact's head
	due     time.Time // that tier record's due time
}
