package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/ops"
)

// Deliveries serves the per-subscription delivery routes (attempts, dead
// letters, redrive, replay, test event) and the trace, over the ops service.
type Deliveries struct {
	svc *ops.Service
	log *zap.Logger
}

// NewDeliveries returns the delivery handlers.
func NewDeliveries(svc *ops.Service, log *zap.Logger) *Deliveries {
	if log == nil {
		log = zap.NewNop()
	}
	return &Deliveries{svc: svc, log: log}
}

// Routes returns the authenticated delivery routes.
func (d *Deliveries) Routes() []httpapi.Route {
	r := func(method, path, summary string, h http.HandlerFunc) httpapi.Route {
		return httpapi.Route{Method: method, Path: path, Summary: summary, Tag: "deliveries", Authenticated: true, Handler: h}
	}
	return []httpapi.Route{
		r(http.MethodGet, "/v1/subscriptions/{id}/attempts", "delivery attempts, newest first, filtered; next is the cursor of the older page", d.attempts),
		r(http.MethodGet, "/v1/subscriptions/{id}/dead-letters", "dead-lettered events, newest first, each marked when redriven", d.deadLetters),
		r(http.MethodPost, "/v1/subscriptions/{id}/dead-letters/redrive", "redeliver dead letters: those named, or all not redriven before", d.redrive),
		r(http.MethodPost, "/v1/subscriptions/{id}/replay", "redeliver events since a time; answers when done, or at once with wait false", d.replay),
		r(http.MethodGet, "/v1/subscriptions/{id}/replays/{job}", "a replay's progress", d.replayStatus),
		r(http.MethodPost, "/v1/subscriptions/{id}/test", "send a signed test event and return the receiver's status", d.test),
		r(http.MethodGet, "/v1/trace", "where an event (or a contact's events) went: copies and attempts per subscription", d.trace),
	}
}

func (d *Deliveries) attempts(w http.ResponseWriter, r *http.Request) {
	q, err := attemptQuery(r)
	if err != nil {
		writeError(w, d.log, err)
		return
	}
	page, err := d.svc.Attempts(r.Context(), q)
	answer(w, d.log, http.StatusOK, page, err)
}

func (d *Deliveries) deadLetters(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r)
	if err != nil {
		writeError(w, d.log, err)
		return
	}
	page, err := d.svc.DeadLetters(r.Context(), ops.DeadLetterQuery{Subscription: r.PathValue("id"), Limit: limit})
	answer(w, d.log, http.StatusOK, page, err)
}

func (d *Deliveries) redrive(w http.ResponseWriter, r *http.Request) {
	var req ops.RedriveRequest
	if !decodeOptional(w, r, &req) {
		return
	}
	if len(req.EventIDs) == 0 {
		req.All = true // an empty body redrives every dead letter not redriven before
	}
	res, err := d.svc.Redrive(r.Context(), r.PathValue("id"), req)
	answer(w, d.log, http.StatusAccepted, res, err)
}

// ReplayRequest is the body of POST …/replay.
type ReplayRequest struct {
	Since string `json:"since"`
	// Wait false answers at once with the job; default true: when done.
	Wait *bool `json:"wait,omitempty"`
}

func (d *Deliveries) replay(w http.ResponseWriter, r *http.Request) {
	var req ReplayRequest
	if !decodeOptional(w, r, &req) {
		return
	}
	since, err := time.Parse(time.RFC3339, req.Since)
	if err != nil {
		writeError(w, d.log, &ops.Invalid{Field: "since", Message: "must be an RFC3339 time, got " + jsonQuote(req.Since), Code: "invalid_since"})
		return
	}
	job, err := d.svc.Replay(r.Context(), r.PathValue("id"), since)
	if err == nil && (req.Wait == nil || *req.Wait) {
		job, err = d.svc.WaitReplay(r.Context(), job.ID)
	}
	answer(w, d.log, http.StatusAccepted, job, err)
}

func (d *Deliveries) replayStatus(w http.ResponseWriter, r *http.Request) {
	job, err := d.svc.ReplayStatus(r.Context(), r.PathValue("job"))
	if err == nil && job.Subscription != r.PathValue("id") {
		err = &ops.NotFound{What: "replay", ID: r.PathValue("job")}
	}
	answer(w, d.log, http.StatusOK, job, err)
}

func (d *Deliveries) test(w http.ResponseWriter, r *http.Request) {
	res, err := d.svc.TestEvent(r.Context(), r.PathValue("id"))
	answer(w, d.log, http.StatusOK, res, err)
}

func (d *Deliveries) trace(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r)
	if err != nil {
		writeError(w, d.log, err)
		return
	}
	q := r.URL.Query()
	tr, err := d.svc.Trace(r.Context(), ops.TraceQuery{EventID: q.Get("eventId"), ContactID: q.Get("contactId"), Limit: limit})
	answer(w, d.log, http.StatusOK, tr, err)
}

// decodeOptional decodes an optional JSON body into v (an empty body is
// fine), answering 400 naming the body when it is not JSON.
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err == nil && len(body) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		httpapi.WriteError(w, http.StatusBadRequest, "invalid_json", "body: "+err.Error())
		return false
	}
	return true
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
