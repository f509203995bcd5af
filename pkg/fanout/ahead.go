package fanout

import (
	"context"
	"sync"

	"github.com/engagehub/engagehub/pkg/event"
	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// ahead is what the fetching goroutine decided for a batch before handing
// it to the writer: each filter's verdict on each record, under one
// snapshot, so that decoding and evaluating filters overlaps the previous
// batch's write instead of lengthening it. The writer uses the decisions
// when its snapshot is the same one, and decides again otherwise.
type ahead struct {
	version uint64
	recs    []aheadRecord // by batch index
}

type aheadRecord struct {
	key      string    // the projection it was decoded with; "" when not decoded
	raw      []byte    // the decoded Raw (for json copies)
	err      error     // a permanent decode error
	verdicts []verdict // by snap.Match(type) index; nil: undecided
}

// plan is, for one snapshot, each type's matching subscriptions' filters
// and what they need decoded.
type plan struct {
	version  uint64
	filtered bool // some enabled subscription has a filter
	byType   map[event.Type]typePlan
}

type typePlan struct {
	progs    []*compiled // by snap.Match(type) index; nil entries: no filter
	proj     schema.Projection
	filtered bool // some subscription has a filter
}

// plans keeps the plan of the latest snapshot the fetching goroutine saw.
type plans struct {
	progs *programs
	mu    sync.Mutex
	cur   *plan
}

// load makes snap's plan the current one; the caller holds mu.
func (p *plans) load(snap *subscription.Snapshot) *plan {
	if p.cur == nil || p.cur.version != snap.Version() {
		p.cur = &plan{version: snap.Version(), byType: map[event.Type]typePlan{}}
		for _, sub := range snap.Subscriptions() {
			p.cur.filtered = p.cur.filtered || sub.Enabled && sub.Filter != ""
		}
	}
	return p.cur
}

// filtered reports whether some enabled subscription of snap has a filter.
func (p *plans) filtered(snap *subscription.Snapshot) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.load(snap).filtered
}

func (p *plans) forType(snap *subscription.Snapshot, typ event.Type) typePlan {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.load(snap)
	if tp, ok := p.cur.byType[typ]; ok {
		return tp
	}
	subs := snap.Match(typ)
	tp := typePlan{progs: make([]*compiled, len(subs))}
	for i, sub := range subs {
		tp.progs[i] = p.progs.get(sub)
		tp.filtered = tp.filtered || tp.progs[i] != nil
	}
	tp.proj = projection(subs, tp.progs)
	if typ.Known() {
		p.cur.byType[typ] = tp
	}
	return tp
}

// decideAhead decides batch's filters under the current snapshot; nil
// when no subscription has a filter.
func (f *Fanout) decideAhead(ctx context.Context, batch []kafka.Message, types []event.Type) *ahead {
	snap := f.deps.Matcher.Load()
	if !f.plans.filtered(snap) {
		return nil
	}
	a := &ahead{version: snap.Version(), recs: make([]aheadRecord, len(batch))}
	var rec record
	var verdicts []verdict // carved per record, one allocation per batch mostly
	for i := range batch {
		typ := types[i]
		tp := f.plans.forType(snap, typ)
		if !tp.filtered {
			continue
		}
		if cap(verdicts)-len(verdicts) < len(tp.progs) {
			verdicts = make([]verdict, 0, max(len(batch)*len(tp.progs), len(tp.progs)))
		}
		vs := verdicts[len(verdicts) : len(verdicts)+len(tp.progs) : len(verdicts)+len(tp.progs)]
		verdicts = verdicts[:len(verdicts)+len(tp.progs)]
		rec.reset(ctx, f.deps.Decoder, &batch[i], typ, tp.proj)
		a.recs[i] = decideRecord(&rec, tp, vs)
	}
	return a
}

// decideRecord fills vs with tp's verdicts on rec.
func decideRecord(rec *record, tp typePlan, vs []verdict) aheadRecord {
	for j, c := range tp.progs {
		if c == nil {
			continue // pass
		}
		v, err := c.decide(rec)
		if err != nil {
			return aheadRecord{} // may pass on retry: the writer decides
		}
		vs[j] = v
	}
	out := aheadRecord{verdicts: vs}
	if rec.decoded && (rec.err == nil || undecodable(rec.err)) {
		// Not the payload: it lives in rec's scratch map, which the next
		// record reuses; the verdicts are what was needed of it.
		out.key, out.raw, out.err = rec.proj.Key(), rec.ev.Raw, rec.err
	}
	return out
}
