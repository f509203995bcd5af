package delivery

import (
	"sort"
	"sync"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// offsets tracks, per partition of one topic, which fetched records are
// settled, so that only the highest contiguous settled offset is committed.
type offsets struct {
	topic string
	mu    sync.Mutex
	parts map[int]*partition
}

type partition struct {
	entries   []entry // ascending offsets, not yet committable
	lastAdded int64
	ready     int64 // highest contiguous settled offset not yet committed; -1 none
}

type entry struct {
	offset  int64
	settled bool
}

func newOffsets(topic string) *offsets {
	return &offsets{topic: topic, parts: map[int]*partition{}}
}

// add registers a fetched record; false means it was already seen (a refetch
// after a rebalance) and must be skipped.
func (o *offsets) add(p int, off int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	if pt == nil {
		pt = &partition{lastAdded: -1, ready: -1}
		o.parts[p] = pt
	}
	if off <= pt.lastAdded {
		return false
	}
	pt.lastAdded = off
	pt.entries = append(pt.entries, entry{offset: off})
	return true
}

// settle marks a record settled; it reports whether the committable position moved.
func (o *offsets) settle(p int, off int64) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	pt := o.parts[p]
	if pt == nil {
		return false
	}
	i := sort.Search(len(pt.entries), func(i int) bool { return pt.entries[i].offset >= off })
	if i == len(pt.entries) || pt.entries[i].offset != off {
		return false
	}
	pt.entries[i].settled = true
	n := 0
	for n < len(pt.entries) && pt.entries[n].settled {
		n++
	}
	if n == 0 {
		return false
	}
	pt.ready = pt.entries[n-1].offset
	pt.entries = pt.entries[n:]
	return true
}

// take returns, per partition that advanced, a message whose offset is the
// highest contiguous settled one, and forgets it (give it back with untake
// when the commit fails).
func (o *offsets) take() []kafka.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var msgs []kafka.Message
	for p, pt := range o.parts {
		if pt.ready >= 0 {
			msgs = append(msgs, kafka.Message{Topic: o.topic, Partition: p, Offset: pt.ready})
			pt.ready = -1
		}
	}
	return msgs
}

// untake restores positions whose commit failed, unless a later one is ready.
func (o *offsets) untake(msgs []kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		if pt := o.parts[m.Partition]; pt != nil && pt.ready < m.Offset {
			pt.ready = m.Offset
		}
	}
}
