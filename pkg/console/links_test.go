package console

import (
	"context"
	"errors"
	"testing"
	"time"
)

func openTestLinks(t *testing.T, log *memLog, clk *clock) *Links {
	t.Helper()
	l, err := OpenLinks(context.Background(), memOpener(log), []byte("0123456789abcdef0123456789abcdef"), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestPortalLinkTokenOpensItsSubscriptionUntilExpiryOrRevocation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		after func(l *Links, ln Link, clk *clock)
		valid bool
	}{
		{"fresh", func(*Links, Link, *clock) {}, true},
		{"just before expiry", func(_ *Links, _ Link, clk *clock) { clk.advance(time.Hour - time.Second) }, true},
		{"at expiry", func(_ *Links, _ Link, clk *clock) { clk.advance(time.Hour) }, false},
		{"revoked", func(l *Links, ln Link, _ *clock) {
			if err := l.Revoke(ctx, "pos", ln.ID); err != nil {
				t.Error(err)
			}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newClock()
			l := openTestLinks(t, &memLog{}, clk)
			ln, token, err := l.Create(ctx, "pos", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			tt.after(l, ln, clk)
			got, err := l.Verify(token)
			if tt.valid && (err != nil || got.Subscription != "pos") {
				t.Fatalf("Verify = %+v, %v; want the link to pos", got, err)
			}
			if !tt.valid && !errors.Is(err, ErrLinkInvalid) {
				t.Fatalf("Verify = %+v, %v; want ErrLinkInvalid", got, err)
			}
		})
	}
}

func TestPortalLinkTokenRefusedWhenTamperedOrForeign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	l := openTestLinks(t, &memLog{}, clk)
	ln, token, _ := l.Create(ctx, "pos", time.Hour)
	other, err := OpenLinks(ctx, memOpener(&memLog{}), []byte("another key, another cluster...."), clk.now)
	if err != nil {
		t.Fatal(err)
	}
	other.apply([]byte(ln.ID), mustJSON(t, ln)) // the record, but not the key
	for name, tok := range map[string]string{
		"empty": "", "no signature": ln.ID, "id only dot": ln.ID + ".", "flipped signature": flipLast(token),
		"unknown id": "AAAAAAAAAAAAAAAAAAAAAA" + token[len(ln.ID):],
	} {
		if _, err := l.Verify(tok); !errors.Is(err, ErrLinkInvalid) {
			t.Errorf("%s: Verify = %v, want ErrLinkInvalid", name, err)
		}
	}
	if _, err := other.Verify(token); !errors.Is(err, ErrLinkInvalid) {
		t.Errorf("a token verified under another secret key: %v", err)
	}
}

func TestPortalLinksSurviveARestartThroughTheirLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	log := &memLog{}
	l := openTestLinks(t, log, clk)
	_, keep, _ := l.Create(ctx, "pos", time.Hour)
	gone, revoked, _ := l.Create(ctx, "pos", time.Hour)
	if err := l.Revoke(ctx, "pos", gone.ID); err != nil {
		t.Fatal(err)
	}
	restarted := openTestLinks(t, &memLog{}, clk)
	for id, ln := range l.m { // replay the log's records into the new instance
		restarted.apply([]byte(id), mustJSON(t, ln))
	}
	if _, err := restarted.Verify(keep); err != nil {
		t.Fatalf("link lost across restart: %v", err)
	}
	if _, err := restarted.Verify(revoked); err == nil {
		t.Fatal("revocation lost across restart")
	}
}

func TestRevokeRefusesALinkOfAnotherSubscription(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := openTestLinks(t, &memLog{}, newClock())
	ln, token, _ := l.Create(ctx, "pos", time.Hour)
	if err := l.Revoke(ctx, "crm", ln.ID); !errors.Is(err, ErrLinkNotFound) {
		t.Fatalf("Revoke under another subscription = %v, want ErrLinkNotFound", err)
	}
	if _, err := l.Verify(token); err != nil {
		t.Fatalf("link revoked through another subscription: %v", err)
	}
}

func TestCreatingALinkDeletesExpiredOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newClock()
	l := openTestLinks(t, &memLog{}, clk)
	old, _, _ := l.Create(ctx, "pos", time.Minute)
	clk.advance(2 * time.Minute)
	_, _, _ = l.Create(ctx, "pos", time.Hour)
	for _, ln := range l.List("pos") {
		if ln.ID == old.ID {
			t.Fatal("expired link still recorded")
		}
	}
	if n := len(l.List("pos")); n != 1 {
		t.Fatalf("links = %d, want 1", n)
	}
}

// flipLast changes a token's last character.
func flipLast(s string) string {
	last := byte('A')
	if s[len(s)-1] == 'A' {
		last = 'B'
	}
	return s[:len(s)-1] + string(last)
}
