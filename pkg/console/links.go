package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Link is one portal link: who it opens (one subscription) and until when.
// Its token is never stored; only the link's id is, and the token is the
// id with an HMAC that binds it to the subscription and the expiry.
type Link struct {
	ID           string     `json:"id"`
	Subscription string     `json:"subscription"`
	CreatedAt    time.Time  `json:"createdAt"`
	ExpiresAt    time.Time  `json:"expiresAt"`
	RevokedAt    *time.Time `json:"revokedAt,omitempty"`
}

// Errors of portal links.
var (
	ErrLinkNotFound = errors.New("console: portal link not found")
	ErrLinkInvalid  = errors.New("console: portal link is unknown, expired or revoked")
)

// LinkLog is the durable record of links: a compacted topic in production
// (kafka.Table), where every replica reads every link and revocation.
type LinkLog interface {
	// Put writes key=value (nil value deletes key) durably and returns once
	// this instance's apply has seen it; an error means it may or may not
	// have been written, and retrying is safe.
	Put(ctx context.Context, key, value []byte) error
	// Run follows writes of every instance until ctx is done; nil on cancel.
	Run(ctx context.Context) error
}

// LinkOpener replays the log into apply, then returns it to follow.
type LinkOpener func(ctx context.Context, apply func(key, value []byte)) (LinkLog, error)

// Links are the portal links, replayed from their log and kept in memory
// (a few hundred bytes each; expired ones are deleted as new ones are made).
type Links struct {
	key []byte
	log LinkLog
	now func() time.Time

	mu sync.RWMutex
	m  map[string]Link
}

// OpenLinks replays the links. secretKey (auth.secret_key) keys their
// tokens, so every replica and every restart accepts the same links.
func OpenLinks(ctx context.Context, open LinkOpener, secretKey []byte, now func() time.Time) (*Links, error) {
	if now == nil {
		now = time.Now
	}
	l := &Links{key: []byte(mac(secretKey, "engagehub portal links v1")), now: now, m: map[string]Link{}}
	log, err := open(ctx, l.apply)
	if err != nil {
		return nil, fmt.Errorf("console: open portal links: %w", err)
	}
	l.log = log
	return l, nil
}

// Run follows the log until ctx is done.
func (l *Links) Run(ctx context.Context) error { return l.log.Run(ctx) }

func (l *Links) apply(key, value []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var ln Link
	if len(value) == 0 || json.Unmarshal(value, &ln) != nil || ln.ID != string(key) {
		delete(l.m, string(key))
		return
	}
	l.m[ln.ID] = ln
}

// Create records a link to sub valid for ttl and returns it with its token.
func (l *Links) Create(ctx context.Context, sub string, ttl time.Duration) (Link, string, error) {
	now := l.now().UTC()
	ln := Link{ID: randomToken()[:22], Subscription: sub, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := l.put(ctx, ln); err != nil {
		return Link{}, "", err
	}
	l.forgetExpired(ctx)
	return ln, ln.ID + "." + l.sign(ln), nil
}

// Revoke ends link id of sub at once, on every replica.
func (l *Links) Revoke(ctx context.Context, sub, id string) error {
	l.mu.RLock()
	ln, ok := l.m[id]
	l.mu.RUnlock()
	if !ok || ln.Subscription != sub {
		return ErrLinkNotFound
	}
	if ln.RevokedAt == nil {
		at := l.now().UTC()
		ln.RevokedAt = &at
	}
	return l.put(ctx, ln)
}

// List returns sub's links, newest first.
func (l *Links) List(sub string) []Link {
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Link
	for _, ln := range l.m {
		if ln.Subscription == sub {
			out = append(out, ln)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
}

// Verify returns the live link a token opens, or ErrLinkInvalid.
func (l *Links) Verify(token string) (Link, error) {
	id, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Link{}, ErrLinkInvalid
	}
	l.mu.RLock()
	ln, known := l.m[id]
	l.mu.RUnlock()
	if !known || !sameToken(sig, l.sign(ln)) || ln.RevokedAt != nil || !l.now().Before(ln.ExpiresAt) {
		return Link{}, ErrLinkInvalid
	}
	return ln, nil
}

// csrf is the CSRF token of the portal pages opened by ln.
func (l *Links) csrf(ln Link) string { return mac(l.key, "csrf", ln.ID) }

func (l *Links) sign(ln Link) string {
	return mac(l.key, "link", ln.ID, ln.Subscription, ln.ExpiresAt.UTC().Format(time.RFC3339Nano))
}

func (l *Links) put(ctx context.Context, ln Link) error {
	b, err := json.Marshal(ln)
	if err != nil {
		return fmt.Errorf("console: encode portal link: %w", err)
	}
	if err := l.log.Put(ctx, []byte(ln.ID), b); err != nil {
		return fmt.Errorf("console: record portal link: %w", err)
	}
	return nil
}

// forgetExpired deletes links past their expiry from the log; a failure
// leaves them for the next Create (they open nothing either way).
func (l *Links) forgetExpired(ctx context.Context) {
	now := l.now()
	l.mu.RLock()
	var old []string
	for id, ln := range l.m {
		if !now.Before(ln.ExpiresAt) {
			old = append(old, id)
		}
	}
	l.mu.RUnlock()
	for _, id := range old {
		if l.log.Put(ctx, []byte(id), nil) != nil {
			return
		}
	}
}
