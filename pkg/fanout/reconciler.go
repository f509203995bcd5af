package fanout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// TopicAdmin is the topic administration the Reconciler needs.
type TopicAdmin interface {
	// EnsureTopics creates missing topics; existing ones are success.
	EnsureTopics(ctx context.Context, specs ...kafka.TopicSpec) error
	// DeleteTopics deletes topics; a missing topic counts as deleted.
	DeleteTopics(ctx context.Context, names ...string) error
	// Topics lists the topics whose names start with prefix.
	Topics(ctx context.Context, prefix string) ([]string, error)
}

// Reconciler keeps topics in line with the subscriptions: every webhook
// subscription has its delivery topic and every Kafka subscription its
// destination topic (created right after the subscription is); a deleted
// subscription's delivery topic is deleted once subscriptions.delete_grace
// has passed since the deletion. Pending deletions are the store's
// deletion markers, and a delivery topic with neither subscription nor
// marker gets a marker, so nothing depends on memory: a restart (or
// another instance) picks up where this one stopped. Running it on several
// instances is harmless.
type Reconciler struct {
	store    *subscription.Store
	admin    TopicAdmin
	cfg      subscription.Config
	interval time.Duration
	now      func() time.Time
	log      *zap.Logger
	also     []string        // AlsoRetire prefixes
	ensured  map[string]bool // topics of current subscriptions this reconciler ensured
}

// NewReconciler returns the reconciler; interval is how often it checks
// for expired deletions besides reacting to every change (1m is plenty),
// now is its clock (nil: time.Now).
func NewReconciler(store *subscription.Store, admin TopicAdmin, interval time.Duration, now func() time.Time, log *zap.Logger) *Reconciler {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	return &Reconciler{store: store, admin: admin, cfg: store.Config(), interval: interval, now: now, log: log, ensured: map[string]bool{}}
}

// AlsoRetire makes the reconciler delete, with a deleted subscription's
// delivery topic, the topics named prefix+id or starting with prefix+id+"."
// for each prefix (the senders' retry tiers and dead letters:
// "engagehub.retry.", "engagehub.dlq."). Call it before Run.
func (r *Reconciler) AlsoRetire(prefixes ...string) *Reconciler {
	r.also = append(r.also, prefixes...)
	return r
}

// Run reconciles fully at start and every interval, and after every
// subscription change makes the pass a change needs (see
// reconcileChange), until ctx is done. A failed pass is logged and
// retried at the next trigger.
func (r *Reconciler) Run(ctx context.Context) error {
	changes, stop := r.store.Changes()
	defer stop()
	tick := time.NewTicker(r.interval)
	defer tick.Stop()
	pass := r.Reconcile
	for {
		if err := pass(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("reconcile topics", zap.Error(err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
			pass = r.reconcileChange
		case <-tick.C:
			pass = r.Reconcile
		}
	}
}

// Reconcile makes one full pass: every subscription's topic ensured
// (one that was deleted behind engagehub's back comes back), orphaned
// delivery topics marked, due deletions done.
func (r *Reconciler) Reconcile(ctx context.Context) error {
	subs := r.store.List()
	if err := r.ensure(ctx, subs, true); err != nil {
		return err
	}
	if err := r.markOrphans(ctx, subs); err != nil {
		return err
	}
	return r.retire(ctx, subs)
}

// reconcileChange is the pass after a subscription change: the topics of
// subscriptions not ensured yet, and deletions. Orphans wait for the next
// full pass: asking the broker to create every subscription's topic and
// list every topic on each change of a burst (a hundred subscriptions
// made one after another, among a thousand) loaded it enough to hold up
// every other subscription's deliveries.
func (r *Reconciler) reconcileChange(ctx context.Context) error {
	subs := r.store.List()
	if err := r.ensure(ctx, subs, false); err != nil {
		return err
	}
	return r.retire(ctx, subs)
}

// ensure creates the topics of subs: all of them, or those not ensured
// yet.
func (r *Reconciler) ensure(ctx context.Context, subs []subscription.Subscription, all bool) error {
	current := make(map[string]bool, len(subs))
	var specs []kafka.TopicSpec
	for i := range subs {
		spec := destinationSpec(&subs[i], r.cfg.DeliveryPrefix, r.cfg.DeliveryPartitions)
		current[spec.Name] = true
		if all || !r.ensured[spec.Name] {
			specs = append(specs, spec)
		}
	}
	for name := range r.ensured {
		if !current[name] {
			delete(r.ensured, name) // a subscription made again is ensured again
		}
	}
	if len(specs) == 0 {
		return nil
	}
	if err := r.admin.EnsureTopics(ctx, specs...); err != nil {
		return fmt.Errorf("fanout: ensure destination topics: %w", err)
	}
	for _, spec := range specs {
		r.ensured[spec.Name] = true
	}
	return nil
}

// markOrphans gives a deletion marker to every delivery topic whose
// subscription is gone without one.
func (r *Reconciler) markOrphans(ctx context.Context, subs []subscription.Subscription) error {
	topics, err := r.admin.Topics(ctx, r.cfg.DeliveryPrefix)
	if err != nil {
		return fmt.Errorf("fanout: list delivery topics: %w", err)
	}
	// the subscriptions as they are now, not as when the pass began: a
	// topic listed above whose subscription was created meanwhile is live
	live := liveIDs(r.store.List())
	pending := r.store.Deletions()
	for _, topic := range topics {
		id := strings.TrimPrefix(topic, r.cfg.DeliveryPrefix)
		if _, ok := pending[id]; live[id] || ok || strings.Contains(id, ".") {
			continue
		}
		if err := r.store.MarkDeleted(ctx, id, r.now().UTC()); err != nil {
			return err
		}
		r.log.Info("orphaned delivery topic marked for deletion", zap.String("topic", topic))
	}
	return nil
}

// retire deletes delivery topics whose grace has passed and drops markers
// of ids that exist again.
func (r *Reconciler) retire(ctx context.Context, subs []subscription.Subscription) error {
	live := liveIDs(subs)
	var errs []error
	for id, at := range r.store.Deletions() {
		switch {
		case live[id]:
			errs = append(errs, r.store.ForgetDeletion(ctx, id))
		case !r.now().Before(at.Add(r.cfg.DeleteGrace)):
			errs = append(errs, r.deleteTopic(ctx, id))
		}
	}
	return errors.Join(errs...)
}

func (r *Reconciler) deleteTopic(ctx context.Context, id string) error {
	topics, err := r.retiredTopics(ctx, id)
	if err != nil {
		return err
	}
	if err := r.admin.DeleteTopics(ctx, topics...); err != nil {
		return fmt.Errorf("fanout: delete topics of %s: %w", id, err)
	}
	for _, topic := range topics {
		r.log.Info("deleted topic of a deleted subscription", zap.String("subscription", id), zap.String("topic", topic))
	}
	return r.store.ForgetDeletion(ctx, id)
}

// retiredTopics lists id's delivery topic and its AlsoRetire topics.
func (r *Reconciler) retiredTopics(ctx context.Context, id string) ([]string, error) {
	out := []string{r.cfg.DeliveryTopic(id)}
	for _, prefix := range r.also {
		topics, err := r.admin.Topics(ctx, prefix+id)
		if err != nil {
			return nil, fmt.Errorf("fanout: list topics of %s: %w", id, err)
		}
		for _, t := range topics {
			if t == prefix+id || strings.HasPrefix(t, prefix+id+".") {
				out = append(out, t)
			}
		}
	}
	return out, nil
}

func liveIDs(subs []subscription.Subscription) map[string]bool {
	out := make(map[string]bool, len(subs))
	for _, s := range subs {
		out[s.ID] = true
	}
	return out
}
