package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
)

// attemptsView is the attempts page of one subscription.
type attemptsView struct {
	Base   string
	Sub    string
	Filter attemptFilter
	Page   ops.AttemptPage
	// NextURL is the older page's URL, "" on the last page.
	NextURL string
}

// attemptFilter is the attempts page's filter form, as shown.
type attemptFilter struct {
	Outcome, EventType, ContactID, Since, Until, Limit string
	Types                                              []string
}

// timeLayouts are what the time filters take: a datetime-local input's
// value (UTC) or RFC 3339.
var timeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", time.RFC3339}

func parseWhen(field, s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &ops.Malformed{Field: field, Message: "must be a time like 2026-12-01T14:30 (UTC) or RFC 3339"}
}

// attemptQuery reads the filter form of r into a query of subscription id.
func attemptQuery(r *http.Request, id string) (ops.AttemptQuery, attemptFilter, error) {
	q := r.URL.Query()
	f := attemptFilter{Outcome: q.Get("outcome"), EventType: q.Get("eventType"), ContactID: strings.TrimSpace(q.Get("contactId")),
		Since: q.Get("since"), Until: q.Get("until"), Limit: q.Get("limit")}
	aq := ops.AttemptQuery{Subscription: id, Outcome: f.Outcome, EventType: f.EventType, ContactID: f.ContactID, Cursor: q.Get("cursor"), Limit: 50}
	var err error
	if aq.Since, err = parseWhen("since", f.Since); err != nil {
		return aq, f, err
	}
	if aq.Until, err = parseWhen("until", f.Until); err != nil {
		return aq, f, err
	}
	if f.Limit != "" {
		if aq.Limit, err = strconv.Atoi(f.Limit); err != nil {
			return aq, f, &ops.Malformed{Field: "limit", Message: "must be an integer"}
		}
	}
	return aq, f, nil
}

// attemptsData runs the query of r for subscription id under base.
func (c *Console) attemptsData(r *http.Request, id, base string) (attemptsView, error) {
	aq, f, err := attemptQuery(r, id)
	f.Types = c.catalogTypes(r)
	d := attemptsView{Base: base, Sub: id, Filter: f}
	if err != nil {
		return d, err
	}
	if d.Page, err = c.deps.Ops.Attempts(r.Context(), aq); err != nil {
		return d, err
	}
	if d.Page.Next != "" {
		q := r.URL.Query()
		q.Set("cursor", d.Page.Next)
		d.NextURL = base + "/attempts?" + q.Encode()
	}
	return d, nil
}

// attemptsPage is a subscription's attempts (console).
func (c *Console) attemptsPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := c.attemptsData(r, id, "/console/subscriptions/"+id)
	v := c.consoleView(r, "Attempts of "+id)
	c.showAttempts(w, r, v, d, err)
}

func (c *Console) showAttempts(w http.ResponseWriter, r *http.Request, v view, d attemptsView, err error) {
	status := http.StatusOK
	if err != nil {
		status, v.Error = statusOf(err)
	}
	v.Data = d
	c.render(w, r, status, "attempts", v)
}

// outcomeClass is the CSS class of an outcome.
func outcomeClass(outcome string) string {
	switch outcome {
	case ops.OutcomeDelivered:
		return "ok"
	case ops.OutcomeRetry:
		return "warn"
	default:
		return "bad"
	}
}
