package delivery

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/kafka"
)

// Lookup finds a subscription's endpoint; the Supervisor is one.
type Lookup interface {
	Endpoint(id string) (Endpoint, bool)
}

// Admin serves the per-subscription delivery endpoints: attempts, dead
// letters, redrive, replay and test pings.
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

// NewAdmin returns the handlers. sink is an acks=all writer; httpClient is
// the shared delivery client (for test pings).
func NewAdmin(cfg Config, client *kafka.Client, sink Sink, lookup Lookup, httpClient *http.Client, eventPrefix, userAgent string, log *zap.Logger) *Admin {
	return &Admin{cfg: cfg, client: client, sink: sink, lookup: lookup, http: httpClient,
		eventPrefix: eventPrefix, userAgent: userAgent, log: log}
}

// Routes returns the authenticated routes to mount on the API router.
func (a *Admin) Routes() []httpapi.Route {
	r := func(method, path, summary string, h func(http.ResponseWriter, *http.Request, Endpoint)) httpapi.Route {
		return httpapi.Route{Method: method, Path: path, Summary: summary, Tag: "deliveries",
			Authenticated: true, Handler: a.withEndpoint(h)}
	}
	return []httpapi.Route{
		r(http.MethodGet, "/v1/subscriptions/{id}/attempts", "Recent delivery attempts", a.attempts),
		r(http.MethodGet, "/v1/subscriptions/{id}/dead-letters", "Dead-lettered events, newest last", a.deadLetters),
		r(http.MethodPost, "/v1/subscriptions/{id}/dead-letters/redrive", "Redeliver dead letters (all, or by event id)", a.redrive),
		r(http.MethodPost, "/v1/subscriptions/{id}/replay", "Redeliver events since a time", a.replay),
		r(http.MethodPost, "/v1/subscriptions/{id}/test", "Send a signed ping and return the receiver's status", a.ping),
	}
}

func (a *Admin) withEndpoint(h func(http.ResponseWriter, *http.Request, Endpoint)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ep, ok := a.lookup.Endpoint(r.PathValue("id"))
		if !ok {
			httpapi.WriteError(w, http.StatusNotFound, "not_found", "subscription "+strconv.Quote(r.PathValue("id"))+" not found")
			return
		}
		h(w, r, ep.withDefaults(a.cfg))
	})
}

// limitParam reads ?limit= (default 100, at most 1000).
func limitParam(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 100, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1000 {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_limit", "limit: must be an integer in [1, 1000]")
		return 0, false
	}
	return n, true
}

// attempts reads the tail of the attempt-log topic rather than keeping a ring
// in memory: any instance can answer (attempts are written by whichever
// sender instance owns the partition), and nothing is paid per delivery.
func (a *Admin) attempts(w http.ResponseWriter, r *http.Request, ep Endpoint) {
	limit, ok := limitParam(w, r)
	if !ok {
		return
	}
	var out []Attempt
	err := tail(r.Context(), a.client, a.cfg.Topics.Attempts, 20*int64(limit), func(m kafka.Message) {
		var at Attempt
		if string(m.Key) == ep.ID && json.Unmarshal(m.Value, &at) == nil {
			out = append(out, at)
		}
	})
	if a.failed(w, err) {
		return
	}
	slices.SortStableFunc(out, func(x, y Attempt) int { return x.At.Compare(y.At) })
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"attempts": lastN(out, limit)})
}

func lastN[T any](s []T, n int) []T {
	if s == nil {
		return []T{}
	}
	return s[max(0, len(s)-n):]
}

func (a *Admin) failed(w http.ResponseWriter, err error) bool {
	if err == nil {
		return false
	}
	a.log.Warn("delivery admin request failed", zap.Error(err))
	httpapi.WriteError(w, http.StatusServiceUnavailable, "kafka_unavailable", "reading Kafka failed; retry")
	return true
}

// decodeBody decodes an optional JSON body into v; an empty body is fine.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "body: "+err.Error())
		return false
	}
	return true
}

// ping sends a signed engagehub.ping event synchronously.
func (a *Admin) ping(w http.ResponseWriter, r *http.Request, ep Endpoint) {
	client, err := withClientCert(a.http, ep.Auth, nil)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "bad_client_certificate", "destination.auth.mtls: "+err.Error())
		return
	}
	if client != a.http {
		defer client.CloseIdleConnections() // the certificate's own transport
	}
	s, err := NewSender(client, ep, a.userAgent, RealClock)
	if err != nil {
		httpapi.WriteError(w, http.StatusUnprocessableEntity, "no_secret", "secrets: "+err.Error())
		return
	}
	now := time.Now().UTC()
	id := "ping_" + strconv.FormatInt(now.UnixNano(), 36)
	body, _ := json.Marshal(map[string]any{"id": id, "eventType": "engagehub.ping", "tenant": "", "isEncrypted": false,
		"payload": map[string]any{"subscription": ep.ID, "sentAt": now}})
	ctx, cancel := context.WithTimeout(r.Context(), ep.Timeout+time.Second)
	defer cancel()
	res := s.Send(ctx, MessageID(id), body)
	out := ClassifyResult(res, now)
	resp := map[string]any{"eventId": id, "status": res.Status, "outcome": out.Kind.String(), "class": out.Class,
		"latencyMs": float64(res.Latency) / float64(time.Millisecond)}
	if res.Err != nil {
		resp["error"] = res.Err.Error()
	}
	httpapi.WriteJSON(w, http.StatusOK, resp)
}

func sortByTime[T any](s []T, at func(T) time.Time) {
	slices.SortStableFunc(s, func(x, y T) int { return cmp.Compare(at(x).UnixNano(), at(y).UnixNano()) })
}
