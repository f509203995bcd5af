package delivery

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/kafka"
)

// Lookup finds a subscription's endpoint; the Supervisor is one.
type Lookup interface {
	Endpoint(id string) (Endpoint, bool)
}

// Errors of the operator operations; ops maps them to its typed errors.
var (
	// ErrUnknownSubscription: no webhook subscription has the id.
	ErrUnknownSubscription = errors.New("delivery: subscription not found")
	// ErrNoSecret: the subscription has no signing secret to sign a ping.
	ErrNoSecret = errors.New("delivery: no signing secret")
)

// Admin carries out the per-subscription delivery operations an operator
// asks for (package ops serves them): attempts, dead letters, redrive,
// replay and test pings. Every method is safe for concurrent use.
type Admin struct {
	cfg         Config
	client      *kafka.Client
	sink        Sink
	lookup      Lookup
	http        *http.Client
	eventPrefix string // kafka.topic_prefix, e.g. "engage."
	userAgent   string
	log         *zap.Logger
}

// NewAdmin returns the operations. sink is an acks=all writer; httpClient is
// the shared delivery client (for test pings).
func NewAdmin(cfg Config, client *kafka.Client, sink Sink, lookup Lookup, httpClient *http.Client, eventPrefix, userAgent string, log *zap.Logger) *Admin {
	return &Admin{cfg: cfg, client: client, sink: sink, lookup: lookup, http: httpClient,
		eventPrefix: eventPrefix, userAgent: userAgent, log: log}
}

// endpoint returns subscription id's endpoint with the sender's defaults.
func (a *Admin) endpoint(id string) (Endpoint, error) {
	ep, ok := a.lookup.Endpoint(id)
	if !ok {
		return Endpoint{}, fmt.Errorf("%w: %s", ErrUnknownSubscription, strconv.Quote(id))
	}
	return ep.withDefaults(a.cfg), nil
}

// Attempts reads the newest attempts of subscription id from the tail of
// the attempt-log topic (window records per partition). It is the fallback
// of the attempt index, which answers completely.
func (a *Admin) Attempts(ctx context.Context, id string, limit int) ([]Attempt, error) {
	if _, err := a.endpoint(id); err != nil {
		return nil, err
	}
	var out []Attempt
	err := tail(ctx, a.client, a.cfg.Topics.Attempts, 20*int64(limit), func(m kafka.Message) {
		var at Attempt
		if string(m.Key) == id && json.Unmarshal(m.Value, &at) == nil {
			out = append(out, at)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(x, y Attempt) int { return x.At.Compare(y.At) })
	return lastN(out, limit), nil
}

func lastN[T any](s []T, n int) []T {
	if s == nil {
		return []T{}
	}
	return s[max(0, len(s)-n):]
}

// PingResult is what a test ping produced.
type PingResult struct {
	EventID   string  `json:"eventId"`
	Status    int     `json:"status"`
	Outcome   string  `json:"outcome"`
	Class     string  `json:"class"`
	LatencyMS float64 `json:"latencyMs"`
	Error     string  `json:"error,omitempty"`
}

// Ping sends a signed engagehub.ping event to subscription id synchronously
// and reports what the receiver answered; a failing receiver is a result,
// not an error.
func (a *Admin) Ping(ctx context.Context, id string) (PingResult, error) {
	ep, err := a.endpoint(id)
	if err != nil {
		return PingResult{}, err
	}
	s, err := NewSender(a.http, ep, a.userAgent, RealClock)
	if err != nil {
		return PingResult{}, fmt.Errorf("%w: %w", ErrNoSecret, err)
	}
	now := time.Now().UTC()
	evID := "ping_" + strconv.FormatInt(now.UnixNano(), 36)
	body, _ := json.Marshal(map[string]any{"id": evID, "eventType": "engagehub.ping", "tenant": "", "isEncrypted": false,
		"payload": map[string]any{"subscription": ep.ID, "sentAt": now}})
	ctx, cancel := context.WithTimeout(ctx, ep.Timeout+time.Second)
	defer cancel()
	res := s.Send(ctx, MessageID(evID), body)
	out := Classify(res.Status, res.RetryAfter, res.Err, now)
	pr := PingResult{EventID: evID, Status: res.Status, Outcome: out.Kind.String(), Class: out.Class,
		LatencyMS: float64(res.Latency) / float64(time.Millisecond)}
	if res.Err != nil {
		pr.Error = res.Err.Error()
	}
	return pr, nil
}

func sortByTime[T any](s []T, at func(T) time.Time) {
	slices.SortStableFunc(s, func(x, y T) int { return cmp.Compare(at(x).UnixNano(), at(y).UnixNano()) })
}
