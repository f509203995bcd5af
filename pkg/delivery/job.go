package delivery

import (
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// job is one fetched record on its way to being settled.
type job struct {
	msg       kafka.Message
	from      *stream
	id, typ   string
	key       string
	attempts  int       // attempts already made
	returning bool      // fetched from a retry tier
	parked    bool      // a follower parked behind its contact's head
	due       time.Time // retry tiers: not before
}

func newJob(m kafka.Message, from *stream) *job {
	j := &job{msg: m, from: from, id: jobID(m), typ: header(m, event.HeaderEventType), key: string(m.Key)}
	if from.tier > 0 {
		j.returning = true
		j.attempts = headerInt(m, event.HeaderRetryAttempt)
		j.parked = header(m, event.HeaderRetryParked) == "true"
		j.due = headerTime(m, event.HeaderRetryDue)
	}
	return j
}

// verdict is how processing a job ended.
type verdict struct {
	settled bool      // delivered, or durably handed to a tier or the DLQ
	tier    string    // set when the job went to a retry tier as its contact's head
	due     time.Time // that tier record's due time
}
