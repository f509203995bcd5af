package fanout

import (
	"errors"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/filter"
	"github.com/engagehub/engagehub/pkg/schema"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// ErrUndecodable marks a Decoder error as permanent: the record can never
// be decoded (bad framing, bytes its writer schema cannot read, a schema
// id the registry does not know), so fan-out dead-letters it for each
// subscription that needed it decoded. Decoders wrap it:
// fmt.Errorf("%w: %w", fanout.ErrUndecodable, err). Any other Decoder
// error (a registry outage) fails the batch, which is retried.
var ErrUndecodable = errors.New("fanout: undecodable record")

func undecodable(err error) bool {
	return errors.Is(err, ErrUndecodable) || errors.Is(err, schema.ErrBadFraming) || errors.Is(err, errNoDecoder)
}

// verdict is what a subscription's filter decided for one event.
type verdict uint8

const (
	undecided  verdict = iota // not decided ahead
	pass                      // copy it
	reject                    // the filter is false: skip it
	failed                    // the filter could not be evaluated: skip it
	deadLetter                // the event cannot be decoded: dead-letter it
)

// programs caches each subscription's compiled filter, keyed by what it
// is compiled from, so a program is compiled once per subscription version
// (not per snapshot). The fetching and the writing goroutine share it.
type programs struct {
	log   *zap.Logger
	mu    sync.Mutex
	byID  map[string]*compiled
	alive map[string]bool // ids seen since the last prune
}

type compiled struct {
	expr  string
	types []string
	prg   *filter.Program
	err   error
}

func newPrograms(log *zap.Logger) *programs {
	return &programs{log: log, byID: map[string]*compiled{}, alive: map[string]bool{}}
}

// get returns sub's compiled filter (nil without one).
func (p *programs) get(sub *subscription.Subscription) *compiled {
	if sub.Filter == "" {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.alive[sub.ID] = true
	c, ok := p.byID[sub.ID]
	if ok && c.expr == sub.Filter && slices.Equal(c.types, sub.EventTypes) {
		return c
	}
	c = &compiled{expr: sub.Filter, types: slices.Clone(sub.EventTypes)}
	c.prg, c.err = filter.Compile(sub.Filter, sub.EventTypes)
	if c.err != nil {
		// Validated when saved; a catalog change can still break it.
		p.log.Error("filter does not compile; the subscription gets no events", zap.String("subscription", sub.ID), zap.Error(c.err))
	}
	p.byID[sub.ID] = c
	return c
}

// prune forgets the programs of subscriptions not seen since the last
// prune (called when the snapshot changes).
func (p *programs) prune() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range p.byID {
		if !p.alive[id] {
			delete(p.byID, id)
		}
	}
	clear(p.alive)
}

// decide evaluates c on rec. err is set only for a decoding failure that
// may pass on retry: the batch is then retried.
func (c *compiled) decide(rec *record) (verdict, error) {
	if c.err != nil {
		return failed, nil
	}
	ok, err := c.prg.Match(rec.filterEvent())
	switch derr := rec.fev.PayloadErr(); {
	case err == nil && ok:
		return pass, nil
	case err == nil:
		return reject, nil
	case derr != nil && undecodable(derr):
		return deadLetter, nil
	case derr != nil:
		return failed, derr
	}
	return failed, nil
}
