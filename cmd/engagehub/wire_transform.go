package main

import (
	"context"
	"sync"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/delivery"
	"github.com/engagehub/engagehub/pkg/subscription"
	"github.com/engagehub/engagehub/pkg/transform"
)

// transforms compiles each subscription's transformation once per version
// of the script and hands the sender the same Transformer while the
// script is unchanged (endpoints compare it by identity, so a worker is
// restarted only when its script changes).
type transforms struct {
	cfg  transform.Config
	log  *zap.Logger
	mu   sync.Mutex
	byID map[string]*scriptTransformer
}

func newTransforms(cfg transform.Config, log *zap.Logger) *transforms {
	return &transforms{cfg: cfg, log: log, byID: map[string]*scriptTransformer{}}
}

// of returns s's Transformer, nil when it has no transformation (or t is nil).
func (t *transforms) of(s *subscription.Subscription) delivery.Transformer {
	if t == nil || s.Transform == "" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.byID[s.ID]; ok && cur.src == s.Transform {
		return cur
	}
	st := &scriptTransformer{src: s.Transform}
	st.script, st.err = transform.Compile(s.Transform, t.cfg)
	if st.err != nil {
		// It compiled when it was saved; it may not under other limits.
		t.log.Error("transformation does not compile; its events are dead-lettered", zap.String("subscription", s.ID), zap.Error(st.err))
	}
	t.byID[s.ID] = st
	return st
}

// retain forgets the scripts of subscriptions not in subs.
func (t *transforms) retain(subs []subscription.Subscription) {
	if t == nil {
		return
	}
	keep := make(map[string]bool, len(subs))
	for _, s := range subs {
		keep[s.ID] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for id := range t.byID {
		if !keep[id] {
			delete(t.byID, id)
		}
	}
}

// scriptTransformer adapts a compiled script to the sender.
type scriptTransformer struct {
	src    string
	script *transform.Script
	err    error // why src does not compile
}

func (s *scriptTransformer) Transform(ctx context.Context, r delivery.Request) (delivery.Request, bool, error) {
	if s.err != nil {
		return delivery.Request{}, false, s.err
	}
	out, err := s.script.Run(ctx, transform.Webhook{EventType: r.EventType, Method: r.Method, URL: r.URL, Headers: r.Headers, Payload: r.Body})
	if err != nil || out.Cancel {
		return delivery.Request{}, out.Cancel, err
	}
	return delivery.Request{Method: out.Method, URL: out.URL, Headers: out.Headers, Body: out.Payload, EventType: r.EventType}, false, nil
}
