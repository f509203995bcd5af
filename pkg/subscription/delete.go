package subscription

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Delete removes subscription id: its record is tombstoned, so fan-out
// stops copying to it as soon as each instance applies the tombstone, and
// a deletion marker records when, so the topic reconciler (on any
// instance, after any restart) deletes its delivery topic once
// subscriptions.delete_grace has passed.
func (s *Store) Delete(ctx context.Context, id string) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, err := s.Get(id); err != nil {
		return err
	}
	if err := s.journal.Put(ctx, []byte(id), nil); err != nil {
		return fmt.Errorf("subscription: delete %s: %w", id, err)
	}
	return s.markDeleted(ctx, id, s.now().UTC())
}

// MarkDeleted records that id's delivery topic awaits deletion since at.
// The reconciler uses it for an orphaned delivery topic (one left by a
// crash between a delete's two writes).
func (s *Store) MarkDeleted(ctx context.Context, id string, at time.Time) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.markDeleted(ctx, id, at)
}

func (s *Store) markDeleted(ctx context.Context, id string, at time.Time) error {
	value, err := json.Marshal(deletion{DeletedAt: at})
	if err != nil {
		return fmt.Errorf("subscription: mark %s deleted: %w", id, err)
	}
	if err := s.journal.Put(ctx, deletionKey(id), value); err != nil {
		return fmt.Errorf("subscription: mark %s deleted: %w", id, err)
	}
	return nil
}

// ForgetDeletion removes id's deletion marker, once its delivery topic is
// gone (or the id was created again).
func (s *Store) ForgetDeletion(ctx context.Context, id string) error {
	if err := s.journal.Put(ctx, deletionKey(id), nil); err != nil {
		return fmt.Errorf("subscription: forget deletion of %s: %w", id, err)
	}
	return nil
}

// Seed creates each of subs that does not exist yet. It never overwrites:
// a seeded subscription edited (or disabled) through the API keeps its
// edits across restarts. A seeded subscription deleted through the API is
// created again at the next start, unless it is also removed from the
// config file. Secrets minted here are not shown anywhere: rotate through
// the API to obtain one.
func (s *Store) Seed(ctx context.Context, subs []Subscription) error {
	var errs []error
	for _, sub := range subs {
		_, _, err := s.Create(ctx, sub)
		switch {
		case err == nil:
			s.log.Info("seeded subscription", zap.String("subscription", sub.ID))
		case errors.Is(err, ErrExists):
		default:
			errs = append(errs, fmt.Errorf("subscription: seed %s: %w", sub.ID, err))
		}
	}
	return errors.Join(errs...)
}
