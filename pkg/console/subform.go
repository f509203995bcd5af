package console

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// subForm is the subscription form's fields, as shown and as posted.
type subForm struct {
	ID, Description        string
	EventTypes             []string // catalog types ticked
	Patterns               string   // other patterns, comma-separated ("contact.*")
	DestType, URL, Timeout string
	Headers                string // "name: value" lines
	Topic, Format          string
	Ordering, RateLimit    string
	Filter                 string
	Enabled                bool
	Catalog                []string // every catalog type, for the checkboxes
	Editing                bool
}

// formOf fills the form from sub (an empty one for a new subscription).
func formOf(sub subscription.Subscription, catalog []string) subForm {
	f := subForm{ID: sub.ID, Description: sub.Description, DestType: sub.Destination.Type, URL: sub.Destination.URL,
		Topic: sub.Destination.Topic, Format: sub.Destination.Format, Ordering: string(sub.Ordering),
		Filter: sub.Filter, Enabled: sub.Enabled, Catalog: catalog}
	if sub.Destination.Timeout > 0 {
		f.Timeout = time.Duration(sub.Destination.Timeout).String()
	}
	if sub.RateLimit > 0 {
		f.RateLimit = strconv.FormatFloat(sub.RateLimit, 'f', -1, 64)
	}
	var patterns []string
	for _, t := range sub.EventTypes {
		if has(catalog, t) {
			f.EventTypes = append(f.EventTypes, t)
		} else {
			patterns = append(patterns, t)
		}
	}
	f.Patterns = strings.Join(patterns, ", ")
	f.Headers = headerLines(sub.Destination.Headers)
	return f
}

func headerLines(h map[string]string) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k + ": " + h[k] + "\n")
	}
	return b.String()
}

// postedForm reads the form of r.
func postedForm(r *http.Request, catalog []string) subForm {
	return subForm{ID: strings.TrimSpace(r.PostFormValue("id")), Description: r.PostFormValue("description"),
		EventTypes: r.PostForm["eventType"], Patterns: r.PostFormValue("patterns"),
		DestType: r.PostFormValue("destinationType"), URL: strings.TrimSpace(r.PostFormValue("url")),
		Timeout: strings.TrimSpace(r.PostFormValue("timeout")), Headers: r.PostFormValue("headers"),
		Topic: strings.TrimSpace(r.PostFormValue("topic")), Format: r.PostFormValue("format"),
		Ordering: r.PostFormValue("ordering"), RateLimit: strings.TrimSpace(r.PostFormValue("rateLimit")),
		Filter: r.PostFormValue("filter"), Enabled: r.PostFormValue("enabled") != "", Catalog: catalog}
}

// subscription turns the form into a subscription over base (the stored
// one when editing, so fields the form does not show are kept), through
// the API's own decoder: the defaults and the checks are the API's.
func (f subForm) subscription(base subscription.Subscription) (subscription.Subscription, error) {
	doc := map[string]any{}
	if raw, err := json.Marshal(base); err == nil {
		_ = json.Unmarshal(raw, &doc)
	}
	for _, k := range []string{"createdAt", "updatedAt", "disabledReason"} {
		delete(doc, k)
	}
	doc["id"], doc["description"], doc["eventTypes"] = f.ID, f.Description, f.eventTypes()
	doc["destination"] = f.destination(doc["destination"])
	doc["ordering"], doc["filter"], doc["enabled"] = f.Ordering, f.Filter, f.Enabled
	if f.RateLimit == "" {
		doc["rateLimit"] = 0
	} else if n, err := strconv.ParseFloat(f.RateLimit, 64); err == nil {
		doc["rateLimit"] = n
	} else {
		return subscription.Subscription{}, &ops.Invalid{Field: "rateLimit", Message: "must be a number of deliveries per second"}
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return subscription.Subscription{}, &ops.Malformed{Field: "body", Message: err.Error()}
	}
	return ops.DecodeSubscription(body)
}

func (f subForm) eventTypes() []string {
	out := append([]string{}, f.EventTypes...)
	for _, p := range strings.Split(f.Patterns, ",") {
		if p = strings.TrimSpace(p); p != "" && !has(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// destination is the form's destination over the stored one's fields.
func (f subForm) destination(stored any) map[string]any {
	d, _ := stored.(map[string]any)
	if d == nil {
		d = map[string]any{}
	}
	d["type"] = f.DestType
	if f.DestType == subscription.DestinationKafka {
		d["topic"], d["format"] = f.Topic, f.Format
		for _, k := range []string{"url", "headers", "timeout"} {
			delete(d, k)
		}
		return d
	}
	d["url"], d["headers"] = f.URL, parseHeaders(f.Headers)
	delete(d, "timeout")
	if f.Timeout != "" {
		d["timeout"] = f.Timeout
	}
	delete(d, "topic")
	delete(d, "format")
	return d
}

// parseHeaders reads "name: value" lines; lines without a colon are kept
// as a name with an empty value, which the API's validation names.
func parseHeaders(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, _ := strings.Cut(line, ":")
		out[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return out
}

func has(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
