package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
)

// Update replaces subscription id with body (PUT).
func (c *Client) Update(ctx context.Context, id string, body json.RawMessage) (WithSecret, error) {
	var out WithSecret
	err := c.do(ctx, http.MethodPut, subPath(id, ""), body, &out)
	return out, err
}

// Patch applies a JSON merge patch to subscription id.
func (c *Client) Patch(ctx context.Context, id string, patch json.RawMessage) (WithSecret, error) {
	var out WithSecret
	err := c.do(ctx, http.MethodPatch, subPath(id, ""), patch, &out)
	return out, err
}

// SetEnabled turns subscription id on or off.
func (c *Client) SetEnabled(ctx context.Context, id string, on bool) (WithSecret, error) {
	return c.Patch(ctx, id, json.RawMessage(`{"enabled":`+strconv.FormatBool(on)+`}`))
}

// Test sends a signed test event to subscription id's endpoint.
func (c *Client) Test(ctx context.Context, id string) (ops.PingResult, error) {
	var out ops.PingResult
	err := c.do(ctx, http.MethodPost, subPath(id, "/test"), nil, &out)
	return out, err
}

// Attempts returns a page of subscription q.Subscription's attempts.
func (c *Client) Attempts(ctx context.Context, q ops.AttemptQuery) (ops.AttemptPage, error) {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("outcome", q.Outcome)
	set("eventType", q.EventType)
	set("contactId", q.ContactID)
	set("eventId", q.EventID)
	set("cursor", q.Cursor)
	set("since", timeText(q.Since))
	set("until", timeText(q.Until))
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out ops.AttemptPage
	err := c.do(ctx, http.MethodGet, subPath(q.Subscription, "/attempts")+query(v), nil, &out)
	return out, err
}

// DeadLetters lists subscription id's newest dead letters (limit 0: the default).
func (c *Client) DeadLetters(ctx context.Context, id string, limit int) (ops.DeadLetterPage, error) {
	v := url.Values{}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out ops.DeadLetterPage
	err := c.do(ctx, http.MethodGet, subPath(id, "/dead-letters")+query(v), nil, &out)
	return out, err
}

// Redrive redelivers dead letters of subscription id.
func (c *Client) Redrive(ctx context.Context, id string, r ops.RedriveRequest) (ops.RedriveResult, error) {
	body, _ := json.Marshal(r)
	var out ops.RedriveResult
	err := c.do(ctx, http.MethodPost, subPath(id, "/dead-letters/redrive"), body, &out)
	return out, err
}

// Replay starts a replay of subscription id since a time; with wait it
// returns once the replay finished.
func (c *Client) Replay(ctx context.Context, id string, since time.Time, wait bool) (ops.ReplayJob, error) {
	body, _ := json.Marshal(ReplayRequest{Since: since.UTC().Format(time.RFC3339), Wait: &wait})
	var out ops.ReplayJob
	err := c.do(ctx, http.MethodPost, subPath(id, "/replay"), body, &out)
	return out, err
}

// ReplayStatus returns the progress of replay job of subscription id.
func (c *Client) ReplayStatus(ctx context.Context, id, job string) (ops.ReplayJob, error) {
	var out ops.ReplayJob
	err := c.do(ctx, http.MethodGet, subPath(id, "/replays/"+url.PathEscape(job)), nil, &out)
	return out, err
}

// Publish publishes an envelope (or a JSON array of them) as source.
func (c *Client) Publish(ctx context.Context, body json.RawMessage, source string) (ops.PublishResult, error) {
	var out ops.PublishResult
	err := c.doWith(ctx, http.MethodPost, "/v1/events", body, &out, map[string]string{"X-Engagehub-Source": source})
	return out, err
}

// Trace follows an event id or a contact id.
func (c *Client) Trace(ctx context.Context, eventID, contactID string) (ops.Trace, error) {
	v := url.Values{}
	if eventID != "" {
		v.Set("eventId", eventID)
	}
	if contactID != "" {
		v.Set("contactId", contactID)
	}
	var out ops.Trace
	err := c.do(ctx, http.MethodGet, "/v1/trace"+query(v), nil, &out)
	return out, err
}

// EventTypes lists the catalog.
func (c *Client) EventTypes(ctx context.Context) ([]EventTypeInfo, error) {
	var out EventTypeList
	err := c.do(ctx, http.MethodGet, "/v1/event-types", nil, &out)
	return out.EventTypes, err
}

func subPath(id, rest string) string { return "/v1/subscriptions/" + url.PathEscape(id) + rest }

func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
