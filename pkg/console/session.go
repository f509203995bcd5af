package console

import (
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"
)

// session is one signed-in operator: a random id (the cookie) and the CSRF
// token every form of the session carries.
type session struct {
	id      string
	csrf    string
	expires time.Time
}

// sessions is the server-side session store: ids are random, held in
// memory only (a restart signs everyone out), bounded to max (the oldest
// ends first) and expire ttl after sign-in.
type sessions struct {
	mu  sync.Mutex
	m   map[string]session
	ttl time.Duration
	max int
	now func() time.Time
}

func newSessions(ttl time.Duration, max int, now func() time.Time) *sessions {
	return &sessions{m: map[string]session{}, ttl: ttl, max: max, now: now}
}

// create starts a session.
func (s *sessions) create() session {
	ses := session{id: randomToken(), csrf: randomToken(), expires: s.now().Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prune()
	s.m[ses.id] = ses
	return ses
}

// get returns the live session with id; an expired one is removed.
func (s *sessions) get(id string) (session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ses, ok := s.m[id]
	if ok && !s.now().Before(ses.expires) {
		delete(s.m, id)
		return session{}, false
	}
	return ses, ok
}

// end removes the session with id (sign-out).
func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

// prune drops expired sessions and, at the bound, the oldest; s.mu is held.
func (s *sessions) prune() {
	now := s.now()
	for id, ses := range s.m {
		if !now.Before(ses.expires) {
			delete(s.m, id)
		}
	}
	for len(s.m) >= s.max {
		oldest := ""
		for id, ses := range s.m {
			if oldest == "" || ses.expires.Before(s.m[oldest].expires) {
				oldest = id
			}
		}
		delete(s.m, oldest)
	}
}

// randomToken is 32 random bytes, URL-safe base64.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
