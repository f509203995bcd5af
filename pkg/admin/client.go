package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/engagehub/engagehub/pkg/httpapi"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// Client talks to the admin API (the operator CLI uses it).
type Client struct {
	base  string
	token string
	http  *http.Client
}

// NewClient returns a client for the engagehub at baseURL
// ("http://127.0.0.1:8080") authenticating with token.
func NewClient(baseURL, token string) *Client {
	return &Client{base: strings.TrimSuffix(baseURL, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
}

// APIError is an error response of the API.
type APIError struct {
	Status  int
	Code    string
	Message string
}

// Error returns "admin: 422 invalid_subscription: destination.url: ...".
func (e *APIError) Error() string {
	return fmt.Sprintf("admin: %d %s: %s", e.Status, e.Code, e.Message)
}

// List returns every subscription.
func (c *Client) List(ctx context.Context) ([]subscription.Subscription, error) {
	var out List
	err := c.do(ctx, http.MethodGet, "/v1/subscriptions", nil, &out)
	return out.Subscriptions, err
}

// Get returns one subscription.
func (c *Client) Get(ctx context.Context, id string) (subscription.Subscription, error) {
	var out subscription.Subscription
	err := c.do(ctx, http.MethodGet, "/v1/subscriptions/"+url.PathEscape(id), nil, &out)
	return out, err
}

// Create creates a subscription from its JSON (as an operator writes it)
// and returns it with its signing secret, shown this once.
func (c *Client) Create(ctx context.Context, body json.RawMessage) (WithSecret, error) {
	var out WithSecret
	err := c.do(ctx, http.MethodPost, "/v1/subscriptions", body, &out)
	return out, err
}

// Delete deletes a subscription.
func (c *Client) Delete(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/subscriptions/"+url.PathEscape(id), nil, nil)
}

// RotateSecret rotates a subscription's signing secret and returns the new one.
func (c *Client) RotateSecret(ctx context.Context, id string) (WithSecret, error) {
	var out WithSecret
	err := c.do(ctx, http.MethodPost, "/v1/subscriptions/"+url.PathEscape(id)+"/secret/rotate", nil, &out)
	return out, err
}

// TestFilter tries a filter (a FilterRequest's JSON) and returns the verdict.
func (c *Client) TestFilter(ctx context.Context, body json.RawMessage) (FilterResult, error) {
	var out FilterResult
	err := c.do(ctx, http.MethodPost, "/v1/subscriptions/test-filter", body, &out)
	return out, err
}

// TestTransform tries a transformation (a TransformRequest's JSON) and
// returns the request the sender would send.
func (c *Client) TestTransform(ctx context.Context, body json.RawMessage) (TransformResult, error) {
	var out TransformResult
	err := c.do(ctx, http.MethodPost, "/v1/subscriptions/test-transform", body, &out)
	return out, err
}

func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	return c.doWith(ctx, method, path, body, out, nil)
}

// doWith is do with extra request headers (empty values are not sent).
func (c *Client) doWith(ctx context.Context, method, path string, body []byte, out any, headers map[string]string) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("admin: %s %s: %w", method, path, err)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("admin: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("admin: %s %s: read response: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return apiError(resp.StatusCode, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("admin: %s %s: decode response: %w", method, path, err)
	}
	return nil
}

func apiError(status int, data []byte) error {
	var body httpapi.ErrorBody
	if json.Unmarshal(data, &body) != nil || body.Error.Code == "" {
		return &APIError{Status: status, Code: http.StatusText(status), Message: strings.TrimSpace(string(data))}
	}
	return &APIError{Status: status, Code: body.Error.Code, Message: body.Error.Message}
}
