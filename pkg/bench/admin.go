package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/engagehub/engagehub/pkg/webhook"
)

// Admin creates and deletes the run's subscriptions through engagehub's
// admin API, the way an operator would.
type Admin struct {
	base, token string
	client      *http.Client
	// filter and transform, when set, go into every subscription made.
	filter, transform string
}

// subscriptionRequest is the body of POST /v1/subscriptions.
type subscriptionRequest struct {
	ID          string         `json:"id"`
	EventTypes  []string       `json:"eventTypes"`
	Destination map[string]any `json:"destination"`
	Ordering    string         `json:"ordering"`
	RateLimit   float64        `json:"rateLimit"`
	Filter      string         `json:"filter,omitempty"`
	Transform   string         `json:"transform,omitempty"`
}

// Create makes subscription id (every event type, ordered by key, no rate
// limit, the Admin's filter and transformation) pointing at url, and
// returns its signing secret, which the API shows only in this answer.
func (a *Admin) Create(ctx context.Context, id, url string) (webhook.Secret, error) {
	body, err := json.Marshal(subscriptionRequest{
		ID: id, EventTypes: []string{"*"}, Ordering: "key",
		Destination: map[string]any{"type": "webhook", "url": url},
		Filter:      a.filter, Transform: a.transform,
	})
	if err != nil {
		return nil, fmt.Errorf("bench: subscription %s: %w", id, err)
	}
	answer, status, err := a.do(ctx, http.MethodPost, "/v1/subscriptions", body)
	if err != nil {
		return nil, err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return nil, fmt.Errorf("bench: create subscription %s: status %d (is the admin role wired?): %.300s", id, status, answer)
	}
	text, ok := findSecret(answer)
	if !ok {
		return nil, fmt.Errorf("bench: create subscription %s: no \"secret\" in the answer", id)
	}
	secret, err := webhook.ParseSecret(text)
	if err != nil {
		return nil, fmt.Errorf("bench: create subscription %s: %w", id, err)
	}
	return secret, nil
}

// Delete removes subscription id; a missing one counts as deleted.
func (a *Admin) Delete(ctx context.Context, id string) error {
	answer, status, err := a.do(ctx, http.MethodDelete, "/v1/subscriptions/"+id, nil)
	if err != nil {
		return err
	}
	if status/100 != 2 && status != http.StatusNotFound {
		return fmt.Errorf("bench: delete subscription %s: status %d: %.300s", id, status, answer)
	}
	return nil
}

func (a *Admin) do(ctx context.Context, method, path string, body []byte) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("bench: %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("bench: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("bench: %s %s: read answer: %w", method, path, err)
	}
	return answer, resp.StatusCode, nil
}

// findSecret returns the first string field named "secret" in a JSON
// answer, at the top or one object down (e.g. {"subscription": …, "secret": …}).
func findSecret(answer []byte) (string, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal(answer, &top) != nil {
		return "", false
	}
	if s, ok := stringField(top, "secret"); ok {
		return s, true
	}
	for _, raw := range top {
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) == nil {
			if s, ok := stringField(inner, "secret"); ok {
				return s, true
			}
		}
	}
	return "", false
}

func stringField(m map[string]json.RawMessage, name string) (string, bool) {
	var s string
	if raw, ok := m[name]; ok && json.Unmarshal(raw, &s) == nil && s != "" {
		return s, true
	}
	return "", false
}
