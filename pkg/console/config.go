package console

import (
	"errors"
	"fmt"
	"net/url"
	"time"
)

// Config is the `console` section.
type Config struct {
	// SessionTTL is how long a console sign-in lasts. Default 8h.
	SessionTTL time.Duration `mapstructure:"session_ttl"`
	// MaxSessions bounds the console sessions held in memory; signing in past
	// it ends the oldest. Default 1000.
	MaxSessions int `mapstructure:"max_sessions"`
	// PortalLinkTTL is a portal link's lifetime when its creator gives none.
	// Default 168h (7 days).
	PortalLinkTTL time.Duration `mapstructure:"portal_link_ttl"`
	// PortalLinkMaxTTL is the longest lifetime a portal link may be given.
	// Default 720h (30 days).
	PortalLinkMaxTTL time.Duration `mapstructure:"portal_link_max_ttl"`
	// PortalTopic is the compacted topic portal links (and their
	// revocations) are recorded in. Default "engagehub.portal-links".
	PortalTopic string `mapstructure:"portal_topic"`
	// PublicURL is the base of the portal links' URLs, e.g.
	// "https://hooks.example.com". Default "": the request's own scheme and host.
	PublicURL string `mapstructure:"public_url"`
}

// DefaultConfig returns the `console` section's defaults.
func DefaultConfig() Config {
	return Config{
		SessionTTL:       8 * time.Hour,
		MaxSessions:      1000,
		PortalLinkTTL:    7 * 24 * time.Hour,
		PortalLinkMaxTTL: 30 * 24 * time.Hour,
		PortalTopic:      "engagehub.portal-links",
	}
}

// Validate checks the section, naming each bad key.
func (c Config) Validate() error {
	var errs []error
	for key, d := range map[string]time.Duration{"session_ttl": c.SessionTTL,
		"portal_link_ttl": c.PortalLinkTTL, "portal_link_max_ttl": c.PortalLinkMaxTTL} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("console.%s: must be positive", key))
		}
	}
	if c.PortalLinkTTL > c.PortalLinkMaxTTL {
		errs = append(errs, errors.New("console.portal_link_ttl: must not exceed console.portal_link_max_ttl"))
	}
	if c.MaxSessions < 1 {
		errs = append(errs, errors.New("console.max_sessions: must be at least 1"))
	}
	if c.PortalTopic == "" {
		errs = append(errs, errors.New("console.portal_topic: must not be empty"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("console.public_url: %q is not an http(s) URL", c.PublicURL))
		}
	}
	return errors.Join(errs...)
}
