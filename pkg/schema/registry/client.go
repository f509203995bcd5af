package registry

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ClientOption configures NewClient.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client. Default: a new client with a 10s timeout.
func WithHTTPClient(hc *http.Client) ClientOption {
	return func(c *Client) { c.http = hc }
}

// WithBasicAuth sends HTTP Basic credentials on every request (Confluent
// Cloud's API key/secret, or engagehub's token as password).
func WithBasicAuth(user, password string) ClientOption {
	return func(c *Client) {
		c.auth = func(r *http.Request) { r.SetBasicAuth(user, password) }
	}
}

// WithBearerToken sends "Authorization: Bearer <token>" on every request.
func WithBearerToken(token string) ClientOption {
	return func(c *Client) {
		c.auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
	}
}

// Client talks to any Confluent-compatible schema registry. Schemas by id
// and ids of registered schemas are cached for the Client's lifetime (both
// are immutable in a registry), so encoders and decoders can call it per
// message. It is safe for concurrent use.
type Client struct {
	base *url.URL
	http *http.Client
	auth func(*http.Request)

	mu      sync.RWMutex
	schemas map[int]string    // id -> schema
	ids     map[[2]string]int // (subject, schema) -> id
}

// NewClient returns a client for the registry at baseURL, which may carry
// a path prefix (e.g. "http://localhost:8080/registry").
func NewClient(baseURL string, opts ...ClientOption) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil {
		return nil, fmt.Errorf("registry: parse base url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("registry: base url %q: scheme must be http or https", u.Redacted())
	}
	c := &Client{
		base:    u,
		http:    &http.Client{Timeout: 10 * time.Second},
		auth:    func(*http.Request) {},
		schemas: map[int]string{},
		ids:     map[[2]string]int{},
	}
	for _, opt := range opts {
		opt(c)
	}
	return c, nil
}

// Register registers schema under subject (POST /subjects/{s}/versions) and
// returns its id; registering again is answered from the cache. A 409 error
// (errors.Is ErrIncompatibleSchema) carries the registry's reasons.
func (c *Client) Register(ctx context.Context, subject, schema string) (int, error) {
	key := [2]string{subject, schema}
	c.mu.RLock()
	id, ok := c.ids[key]
	c.mu.RUnlock()
	if ok {
		return id, nil
	}
	var resp struct {
		ID int `json:"id"`
	}
	path := "/subjects/" + url.PathEscape(subject) + "/versions"
	if err := c.do(ctx, http.MethodPost, path, map[string]string{"schema": schema}, &resp); err != nil {
		return 0, fmt.Errorf("registry: register %s: %w", subject, err)
	}
	c.mu.Lock()
	c.ids[key] = resp.ID
	c.mu.Unlock()
	return resp.ID, nil
}

// Schema returns the schema with id (GET /schemas/ids/{id}), cached.
func (c *Client) Schema(ctx context.Context, id int) (string, error) {
	c.mu.RLock()
	schema, ok := c.schemas[id]
	c.mu.RUnlock()
	if ok {
		return schema, nil
	}
	var resp struct {
		Schema string `json:"schema"`
	}
	if err := c.do(ctx, http.MethodGet, "/schemas/ids/"+strconv.Itoa(id), nil, &resp); err != nil {
		return "", fmt.Errorf("registry: get schema %d: %w", id, err)
	}
	c.mu.Lock()
	c.schemas[id] = resp.Schema
	c.mu.Unlock()
	return resp.Schema, nil
}

// Latest returns the latest version of subject
// (GET /subjects/{s}/versions/latest). It is not cached: it changes.
func (c *Client) Latest(ctx context.Context, subject string) (SubjectVersion, error) {
	var v SubjectVersion
	path := "/subjects/" + url.PathEscape(subject) + "/versions/latest"
	if err := c.do(ctx, http.MethodGet, path, nil, &v); err != nil {
		return SubjectVersion{}, fmt.Errorf("registry: latest %s: %w", subject, err)
	}
	c.mu.Lock()
	c.schemas[v.ID] = v.Schema
	c.mu.Unlock()
	return v, nil
}
