package fanout

import (
	"context"
	"slices"
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
	version  uint64
	recs     []aheadRecord // by batch index
	verdicts []verdict     // what recs' verdicts are carved from
}

// aheads recycles the decisions of written batches: deciding a batch
// allocates nothing once the pipeline runs, and on a large heap (the
// embedded broker's) every allocation costs its share of marking it.
type aheads struct{ pool sync.Pool }

// get returns an ahead for n records decided under version.
func (p *aheads) get(version uint64, n int) *ahead {
	a, _ := p.pool.Get().(*ahead)
	if a == nil {
		a = &ahead{}
	}
	a.version = version
	a.recs = slices.Grow(a.recs[:0], n)[:n]
	clear(a.recs)
	a.verdicts = a.verdicts[:0]
	return a
}

// put takes back a (nil is fine) once its batch is written.
func (p *aheads) put(a *ahead) {
	if a != nil {
		p.pool.Put(a)
	}
}

// carve returns n verdicts for one record.
func (a *ahead) carve(n, batch int) []verdict {
	if cap(a.verdicts)-len(a.verdicts) < n {
		a.verdicts = make([]verdict, 0, max(batch*n, n)) // the carved ones keep the old array
	}
	vs := a.verdicts[len(a.verdicts) : len(a.verdicts)+n : len(a.verdicts)+n]
	a.verdicts = a.verdicts[:len(a.verdicts)+n]
	return vs
}

type aheadRecord struct {
	verdicts []verdict     // by snap.Match(type) index; nil: undecided
	decoded  *aheadDecoded // what a json copy or a dead letter reuses; nil mostly
}

// aheadDecoded is what the fetching goroutine decoded of a record that
// the writer needs again: the envelope JSON of a json copy, or the error
// a dead letter reports. Kept apart so that the common record (a webhook
// subscription's verdict) costs the batch 32 bytes.
type aheadDecoded struct {
	key string // the projection it was decoded with
	raw []byte // the decoded Raw (for json copies)
	err error  // a permanent decode error
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
	a := f.aheads.get(snap.Version(), len(batch))
	var rec record
	var tp typePlan
	for i := range batch {
		typ := types[i]
		if i == 0 || typ != types[i-1] { // records come in runs of one type
			tp = f.plans.forType(snap, typ)
		}
		if !tp.filtered {
			continue
		}
		vs := a.carve(len(tp.progs), len(batch))
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
	if rec.decoded && (rec.proj.Raw || rec.err != nil && undecodable(rec.err)) {
		// Not the payload: it lives in rec's Fields, which the next record
		// reuses; the verdicts are what was needed of it.
		out.decoded = &aheadDecoded{key: rec.proj.Key(), raw: rec.raw, err: rec.err}
	}
	return out
}
