package delivery

import (
	"context"
	"slices"
	"time"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// DeadLetterView is one dead letter as the API lists it.
type DeadLetterView struct {
	EventID    string    `json:"eventId"`
	EventType  string    `json:"eventType"`
	LastStatus int       `json:"lastStatus"`
	Error      string    `json:"error"`
	Attempts   int       `json:"attempts"`
	At         time.Time `json:"at"`
	Partition  int       `json:"partition"`
	Offset     int64     `json:"offset"`
	// Redriven says the dead letter was put back for delivery since;
	// RedrivenAt when, if known (a redrive of all records only its progress).
	Redriven   bool       `json:"redriven"`
	RedrivenAt *time.Time `json:"redrivenAt,omitempty"`
}

func viewDeadLetter(m kafka.Message) DeadLetterView {
	return DeadLetterView{EventID: header(m, event.HeaderEventID), EventType: header(m, event.HeaderEventType),
		LastStatus: headerInt(m, event.HeaderDLQStatus), Error: header(m, event.HeaderDLQError),
		Attempts: headerInt(m, event.HeaderDLQAttempts), At: headerTime(m, event.HeaderDLQAt), Partition: m.Partition, Offset: m.Offset}
}

func (a *Admin) dlqTopic(id string) string { return a.cfg.Topics.DLQPrefix + id }

// DeadLetters lists up to limit dead letters of subscription id, oldest
// first, from the end of its dead-letter topic.
func (a *Admin) DeadLetters(ctx context.Context, id string, limit int) ([]DeadLetterView, error) {
	if _, err := a.endpoint(id); err != nil {
		return nil, err
	}
	out, err := a.readDeadLetters(ctx, id, int64(limit))
	if err != nil || len(out) == 0 {
		return []DeadLetterView{}, err
	}
	done, err := a.client.GroupOffsets(ctx, redriveGroup(id), a.dlqTopic(id))
	if err != nil {
		return nil, err
	}
	markers := redriveMarkers(out)
	views := make([]DeadLetterView, 0, len(out))
	for _, m := range out {
		if isMarker(m) {
			continue
		}
		v := viewDeadLetter(m)
		if at, ok := markers[v.EventID]; ok && v.At.Before(at) {
			v.Redriven, v.RedrivenAt = true, &at
		}
		if c, ok := done[m.Partition]; ok && m.Offset < c {
			v.Redriven = true
		}
		views = append(views, v)
	}
	sortByTime(views, func(v DeadLetterView) time.Time { return v.At })
	return lastN(views, limit), nil
}

func redriveGroup(id string) string { return "engagehub-redrive-" + id }

// isMarker reports whether m is a redrive marker, not a dead letter.
func isMarker(m kafka.Message) bool {
	_, ok := lookupHeader(m, event.HeaderDLQRedriven)
	return ok
}

// redriveMarkers maps each event id with a marker among msgs to the latest
// marker's time.
func redriveMarkers(msgs []kafka.Message) map[string]time.Time {
	out := map[string]time.Time{}
	for _, m := range msgs {
		if !isMarker(m) {
			continue
		}
		id, at := header(m, event.HeaderEventID), headerTime(m, event.HeaderDLQRedriven)
		if at.After(out[id]) {
			out[id] = at
		}
	}
	return out
}

// marker is the redrive marker of dead letter m, redriven at.
func (a *Admin) marker(id string, m kafka.Message, at time.Time) kafka.Message {
	return kafka.Message{Topic: a.dlqTopic(id), Key: m.Key, Headers: []kafka.Header{
		{Key: event.HeaderEventID, Value: []byte(header(m, event.HeaderEventID))},
		{Key: event.HeaderDLQRedriven, Value: []byte(at.UTC().Format(time.RFC3339Nano))}}}
}

// readDeadLetters reads up to window records per partition from the end of
// the subscription's dead-letter topic (all when window ≤ 0); none when the
// topic does not exist.
func (a *Admin) readDeadLetters(ctx context.Context, id string, window int64) ([]kafka.Message, error) {
	topic := a.dlqTopic(id)
	names, err := a.client.Topics(ctx, topic)
	if err != nil || !slices.Contains(names, topic) {
		return nil, err
	}
	var out []kafka.Message
	err = tail(ctx, a.client, topic, window, func(m kafka.Message) { out = append(out, m) })
	return out, err
}

// Redrive re-enqueues dead letters of subscription id onto its delivery
// topic with their attempts reset and reports how many. Without eventIDs it
// takes every dead letter not redriven before: progress is a consumer
// group's committed offsets (engagehub-redrive-<id>), so a redrive is never
// repeated. With eventIDs it takes those events wherever they are in the
// topic. It gives up after two minutes.
func (a *Admin) Redrive(ctx context.Context, id string, eventIDs []string) (int, error) {
	if _, err := a.endpoint(id); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if len(eventIDs) > 0 {
		return a.redriveIDs(ctx, id, eventIDs)
	}
	return a.redriveAll(ctx, id)
}

func (a *Admin) redriveIDs(ctx context.Context, id string, ids []string) (int, error) {
	all, err := a.readDeadLetters(ctx, id, 0)
	if err != nil {
		return 0, err
	}
	var msgs, marks []kafka.Message
	now := time.Now()
	for _, m := range all {
		if !isMarker(m) && slices.Contains(ids, header(m, event.HeaderEventID)) {
			msgs, marks = append(msgs, a.redriven(id, m)), append(marks, a.marker(id, m, now))
		}
	}
	if err := a.writeBatches(ctx, msgs); err != nil {
		return 0, err
	}
	return len(msgs), a.writeBatches(ctx, marks) // after the copies: a marker never claims a redrive that did not happen
}

func (a *Admin) redriven(id string, m kafka.Message) kafka.Message {
	return kafka.Message{Topic: a.cfg.Topics.DeliverPrefix + id, Key: m.Key, Value: m.Value, Headers: withHeaders(m.Headers)}
}

func (a *Admin) writeBatches(ctx context.Context, msgs []kafka.Message) error {
	for len(msgs) > 0 {
		n := min(len(msgs), 500)
		if err := a.sink.WriteMessages(ctx, msgs[:n]...); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	return nil
}

// redriveAll copies every record after the redrive group's committed offsets
// up to the end present at the call, committing after each batch of
// replayBatch records (a failure redrives at most one batch twice).
func (a *Admin) redriveAll(ctx context.Context, id string) (int, error) {
	topic, group := a.dlqTopic(id), redriveGroup(id)
	names, err := a.client.Topics(ctx, topic)
	if err != nil || !slices.Contains(names, topic) {
		return 0, err
	}
	todo, err := a.redriveTargets(ctx, topic, group)
	if err != nil || len(todo) == 0 {
		return 0, err
	}
	rd := a.client.NewGroupReader(group, []string{topic}, kafka.ReaderOptions{MaxWait: 100 * time.Millisecond})
	defer func() { _ = rd.Close() }()
	n := 0
	var read, out []kafka.Message
	for len(todo) > 0 {
		m, err := rd.Fetch(ctx)
		if err != nil {
			return n, err
		}
		end, ok := todo[m.Partition]
		if !ok || m.Offset >= end {
			continue
		}
		read = append(read, m)
		if !isMarker(m) {
			out = append(out, a.redriven(id, m))
		}
		if m.Offset >= end-1 {
			delete(todo, m.Partition)
		}
		if len(read) >= replayBatch || len(todo) == 0 {
			if err := a.redriveBatch(ctx, rd, read, out); err != nil {
				return n, err
			}
			n, read, out = n+len(out), read[:0], out[:0]
		}
	}
	return n, nil
}

// redriveBatch writes out, then commits the dead letters it came from.
func (a *Admin) redriveBatch(ctx context.Context, rd *kafka.Reader, read, out []kafka.Message) error {
	if err := a.writeBatches(ctx, out); err != nil {
		return err
	}
	return rd.Commit(ctx, read...)
}

// redriveTargets maps each partition with records not yet redriven to its end.
func (a *Admin) redriveTargets(ctx context.Context, topic, group string) (map[int]int64, error) {
	ends, err := a.client.Ends(ctx, topic)
	if err != nil {
		return nil, err
	}
	done, err := a.client.GroupOffsets(ctx, group, topic)
	if err != nil {
		return nil, err
	}
	todo := map[int]int64{}
	for _, e := range ends {
		if c, ok := done[e.Partition]; (!ok || c < e.Next) && e.Next > e.First {
			if ok && c >= e.Next {
				continue
			}
			todo[e.Partition] = e.Next
		}
	}
	return todo, nil
}
