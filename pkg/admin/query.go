package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
)

// limitParam reads ?limit= (0 when absent: the default page).
func limitParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &ops.Malformed{Field: "limit", Message: "must be an integer in [1, 1000]", Code: "invalid_limit"}
	}
	return n, ops.CheckLimit(n)
}

// timeParam reads an optional RFC 3339 query parameter.
func timeParam(r *http.Request, name string) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, &ops.Malformed{Field: name, Message: "must be an RFC3339 time, got " + jsonQuote(v), Code: "invalid_" + name}
	}
	return t, nil
}

// attemptQuery reads GET …/attempts' parameters.
func attemptQuery(r *http.Request) (ops.AttemptQuery, error) {
	q := r.URL.Query()
	out := ops.AttemptQuery{Subscription: r.PathValue("id"), Outcome: q.Get("outcome"), EventType: q.Get("eventType"),
		ContactID: q.Get("contactId"), EventID: q.Get("eventId"), Cursor: q.Get("cursor")}
	var err error
	if out.Limit, err = limitParam(r); err != nil {
		return out, err
	}
	if out.Since, err = timeParam(r, "since"); err != nil {
		return out, err
	}
	out.Until, err = timeParam(r, "until")
	return out, err
}
