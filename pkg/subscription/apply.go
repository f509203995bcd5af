package subscription

import (
	"encoding/json"

	"go.uber.org/zap"
)

// apply folds one log record into the view. It runs on the log's goroutine.
func (s *Store) apply(key, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version++
	if id, ok := deletionID(string(key)); ok {
		s.applyDeletion(id, value)
	} else {
		s.applySubscription(string(key), value)
	}
	if !s.replaying {
		s.rebuildLocked()
	}
}

func (s *Store) applySubscription(id string, value []byte) {
	if len(value) == 0 {
		delete(s.subs, id)
		return
	}
	r, err := decodeRecord(value)
	if err != nil {
		s.log.Error("skip undecodable subscription record", zap.String("subscription", id), zap.Error(err))
		return
	}
	secrets, err := openSecrets(s.cipher, id, r.Secrets)
	if err != nil {
		// Keep the subscription (fan-out still works); its sender cannot sign.
		s.log.Error("cannot open signing secrets", zap.String("subscription", id), zap.Error(err))
	}
	auth, err := openAuth(s.cipher, id, r.Auth)
	if err != nil {
		// Keep the subscription; its sender sends without the secrets.
		s.log.Error("cannot open destination auth", zap.String("subscription", id), zap.Error(err))
	}
	r.Subscription.ID = id
	r.Subscription.secrets = secrets
	r.Subscription.auth = r.Subscription.Destination.Auth.withSecrets(auth)
	s.subs[id] = &entry{sub: r.Subscription, sealed: r.Secrets, auth: r.Auth}
}

func (s *Store) applyDeletion(id string, value []byte) {
	if len(value) == 0 {
		delete(s.deletions, id)
		return
	}
	var d deletion
	if err := json.Unmarshal(value, &d); err != nil {
		s.log.Error("skip undecodable deletion marker", zap.String("subscription", id), zap.Error(err))
		return
	}
	s.deletions[id] = d.DeletedAt
}

// rebuildLocked publishes a new matcher snapshot and wakes watchers.
func (s *Store) rebuildLocked() {
	subs := make([]*Subscription, 0, len(s.subs))
	for _, e := range s.subs {
		sub := e.sub.Clone()
		subs = append(subs, &sub)
	}
	s.matcher.Set(NewSnapshot(subs, s.version))
	for ch := range s.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
