package attemptindex

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"

	"github.com/engagehub/engagehub/pkg/ops"
)

// ref is a picked row: where its record is and its place in the answer.
type ref struct {
	e   entry
	sub string
	seq int64
}

// match is a query compiled against the index's interned values.
type match struct {
	q        ops.AttemptQuery
	etype    uint16
	contact  uint32
	event    uint32
	since    int64
	until    int64
	possible bool // false: the event type was never seen, nothing matches
}

func (x *Index) compile(q ops.AttemptQuery) match {
	m := match{q: q, contact: hash32(q.ContactID), event: hash32(q.EventID), possible: true}
	if q.EventType != "" {
		m.etype, m.possible = x.types[q.EventType]
	}
	if !q.Since.IsZero() {
		m.since = q.Since.UnixNano()
	}
	if !q.Until.IsZero() {
		m.until = q.Until.UnixNano()
	}
	return m
}

func (m *match) ok(e entry) bool {
	switch {
	case m.q.EventType != "" && e.etype != m.etype,
		m.contact != 0 && e.contact != m.contact,
		m.event != 0 && e.event != m.event,
		m.since != 0 && e.at < m.since,
		m.until != 0 && e.at >= m.until:
		return false
	}
	return outcomeOK(m.q.Outcome, e.outcome)
}

func outcomeOK(want string, got uint8) bool {
	switch want {
	case "":
		return true
	case ops.OutcomeFailed:
		return got != outcomeDelivered
	}
	return outcomeCode(want) == got
}

// Attempts answers q: q.Subscription's attempts newest first from
// q.Cursor, or, without a subscription, every subscription's (for a
// trace; no cursor). Rows are read from Kafka by offset; a row whose
// record expired, or whose hashed contact or event id matched another's,
// is left out.
func (x *Index) Attempts(ctx context.Context, q ops.AttemptQuery) (ops.AttemptPage, error) {
	refs, next, err := x.pick(q)
	if err != nil {
		return ops.AttemptPage{}, err
	}
	rows, err := x.read(ctx, refs, q)
	if err != nil {
		return ops.AttemptPage{}, err
	}
	return ops.AttemptPage{Attempts: rows, Next: next}, nil
}

// pick chooses the page's rows under the read lock.
func (x *Index) pick(q ops.AttemptQuery) ([]ref, string, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.compile(q)
	if !m.possible {
		return nil, "", nil
	}
	if q.Subscription != "" {
		return x.pickOne(q.Subscription, &m)
	}
	return x.pickAll(&m), "", nil
}

func (x *Index) pickOne(sub string, m *match) ([]ref, string, error) {
	r := x.subs[sub]
	if r == nil {
		return nil, "", nil
	}
	from := r.n - 1
	if m.q.Cursor != "" {
		c, err := strconv.ParseInt(m.q.Cursor, 10, 64)
		if err != nil || c < 0 {
			return nil, "", &ops.Malformed{Field: "cursor", Message: "not a cursor this API returned", Code: "invalid_cursor"}
		}
		from = min(from, c)
	}
	var out []ref
	seq := from
	for ; seq >= r.first() && len(out) < m.q.Limit; seq-- {
		if e := r.at(seq); m.ok(e) {
			out = append(out, ref{e: e, sub: sub, seq: seq})
		}
	}
	if seq >= r.first() {
		return out, strconv.FormatInt(seq, 10), nil
	}
	return out, "", nil
}

// pickAll takes the newest matching rows of every subscription.
func (x *Index) pickAll(m *match) []ref {
	var out []ref
	for sub, r := range x.subs {
		for i := range r.buf { // storage order: the sort below puts them newest first
			if e := &r.buf[i]; m.ok(*e) {
				out = append(out, ref{e: *e, sub: sub})
			}
		}
	}
	slices.SortFunc(out, func(a, b ref) int { return cmp.Compare(b.e.at, a.e.at) })
	return out[:min(len(out), m.q.Limit)]
}

// read fetches the rows' records, grouped by partition, and keeps those
// that match q exactly, in the rows' order.
func (x *Index) read(ctx context.Context, refs []ref, q ops.AttemptQuery) ([]ops.Attempt, error) {
	byPart := map[uint16][]int64{}
	for _, r := range refs {
		byPart[r.e.partition] = append(byPart[r.e.partition], r.e.offset)
	}
	recs := map[[2]int64][]byte{}
	for p, offs := range byPart {
		got, err := x.reader.ReadOffsets(ctx, x.topic, int(p), offs)
		if err != nil {
			return nil, err
		}
		for off, m := range got {
			recs[[2]int64{int64(p), off}] = m.Value
		}
	}
	out := make([]ops.Attempt, 0, len(refs))
	for _, r := range refs {
		var a ops.Attempt
		v, ok := recs[[2]int64{int64(r.e.partition), r.e.offset}]
		if ok && json.Unmarshal(v, &a) == nil && q.Matches(a) {
			out = append(out, a)
		}
	}
	return out, nil
}
