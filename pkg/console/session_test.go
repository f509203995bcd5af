package console

import (
	"testing"
	"time"
)

func TestSessionsExpireAfterTheirTTL(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newSessions(time.Hour, 10, clk.now)
	ses := s.create()
	if _, ok := s.get(ses.id); !ok {
		t.Fatal("fresh session not found")
	}
	clk.advance(59 * time.Minute)
	if _, ok := s.get(ses.id); !ok {
		t.Fatal("session gone before its TTL")
	}
	clk.advance(time.Minute)
	if _, ok := s.get(ses.id); ok {
		t.Fatal("session still live at its TTL")
	}
}

func TestSessionsAreBoundedAndTheOldestEndsFirst(t *testing.T) {
	t.Parallel()
	clk := newClock()
	s := newSessions(time.Hour, 3, clk.now)
	var ids []string
	for range 4 {
		ids = append(ids, s.create().id)
		clk.advance(time.Second)
	}
	if _, ok := s.get(ids[0]); ok {
		t.Fatal("oldest session kept past the bound")
	}
	for _, id := range ids[1:] {
		if _, ok := s.get(id); !ok {
			t.Fatal("a newer session was ended")
		}
	}
}

func TestSessionIDsAndCSRFTokensAreRandomAndDistinct(t *testing.T) {
	t.Parallel()
	s := newSessions(time.Hour, 100, time.Now)
	seen := map[string]bool{}
	for range 50 {
		ses := s.create()
		if len(ses.id) < 40 || len(ses.csrf) < 40 || seen[ses.id] || seen[ses.csrf] || ses.id == ses.csrf {
			t.Fatalf("weak or repeated session token %q / %q", ses.id, ses.csrf)
		}
		seen[ses.id], seen[ses.csrf] = true, true
	}
}

func TestSignedOutSessionIsGone(t *testing.T) {
	t.Parallel()
	s := newSessions(time.Hour, 10, time.Now)
	ses := s.create()
	s.end(ses.id)
	if _, ok := s.get(ses.id); ok {
		t.Fatal("session live after sign-out")
	}
}
