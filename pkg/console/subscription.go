package console

import (
	"fmt"
	"net/http"
	"time"

	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// subView is the subscription page (console) or the portal's first page.
type subView struct {
	Sub subscription.Subscription
	// Base is the page's own path ("/console/subscriptions/pos" or
	// "/portal/s/pos"), under which its actions are posted.
	Base string
	// Secret is a signing secret just minted, shown this once.
	Secret string
	// NewLink is a portal link just created, shown this once.
	NewLink string
	Links   []Link
	Portal  bool
	// Recent are the newest attempts (a failure to read them leaves it empty).
	Recent []ops.Attempt
}

// recentAttempts are subscription id's newest few attempts.
func (c *Console) recentAttempts(r *http.Request, id string) []ops.Attempt {
	page, err := c.deps.Ops.Attempts(r.Context(), ops.AttemptQuery{Subscription: id, Limit: 10})
	if err != nil {
		return nil
	}
	return page.Attempts
}

// subscriptionPage shows one subscription and its actions.
func (c *Console) subscriptionPage(w http.ResponseWriter, r *http.Request) {
	sub, err := c.deps.Ops.Subscription(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.showSubscription(w, r, sub, notice(r), "")
}

func (c *Console) showSubscription(w http.ResponseWriter, r *http.Request, sub subscription.Subscription, flash, secret string) {
	v := c.consoleView(r, "Subscription "+sub.ID)
	v.Flash = flash
	d := subView{Sub: sub, Base: "/console/subscriptions/" + sub.ID, Secret: secret, Recent: c.recentAttempts(r, sub.ID)}
	if c.deps.Links != nil {
		d.Links = c.deps.Links.List(sub.ID)
	}
	v.Data = d
	c.render(w, r, http.StatusOK, "subscription", v)
}

// notices are the fixed one-line notices an action's redirect names.
var notices = map[string]string{
	"updated": "Saved.", "enabled": "Enabled: events flow to it again.", "disabled": "Disabled: it gets no new events.",
	"deleted": "Deleted. Its delivery topic goes after a grace period.", "revoked": "The portal link is revoked on every replica.",
	"redriven": "Redriven: the dead letters are back on the delivery topic.", "published": "Published.",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("notice")] }

func (c *Console) enableSubscription(w http.ResponseWriter, r *http.Request) {
	c.act(w, r, "enabled", func() error { _, err := c.deps.Ops.EnableSubscription(r.Context(), r.PathValue("id")); return err })
}

func (c *Console) disableSubscription(w http.ResponseWriter, r *http.Request) {
	c.act(w, r, "disabled", func() error {
		_, err := c.deps.Ops.DisableSubscription(r.Context(), r.PathValue("id"), r.PostFormValue("reason"))
		return err
	})
}

func (c *Console) deleteSubscription(w http.ResponseWriter, r *http.Request) {
	if err := c.deps.Ops.DeleteSubscription(r.Context(), r.PathValue("id")); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/subscriptions?notice=deleted", http.StatusSeeOther)
}

// act runs an action and redirects back to the subscription with a notice.
func (c *Console) act(w http.ResponseWriter, r *http.Request, done string, fn func() error) {
	if err := fn(); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/subscriptions/"+r.PathValue("id")+"?notice="+done, http.StatusSeeOther)
}

// rotateSecret mints a new signing secret and shows it this once.
func (c *Console) rotateSecret(w http.ResponseWriter, r *http.Request) {
	rot, err := c.deps.Ops.RotateSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.showSubscription(w, r, rot.Subscription, "Rotated. The new secret is shown this once; the old one keeps signing for its grace period.", rot.Secret)
}

// testEvent sends a signed ping and shows what the receiver answered.
func (c *Console) testEvent(w http.ResponseWriter, r *http.Request) {
	sub, msg, err := c.ping(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.showSubscription(w, r, sub, msg, "")
}

func (c *Console) ping(r *http.Request) (subscription.Subscription, string, error) {
	id := r.PathValue("id")
	res, err := c.deps.Ops.TestEvent(r.Context(), id)
	if err != nil {
		return subscription.Subscription{}, "", err
	}
	sub, err := c.deps.Ops.Subscription(r.Context(), id)
	msg := fmt.Sprintf("Test event %s: the receiver answered %d (%s) in %.1f ms.", res.EventID, res.Status, res.Outcome, res.LatencyMS)
	if res.Error != "" {
		msg = fmt.Sprintf("Test event %s failed (%s): %s", res.EventID, res.Outcome, res.Error)
	}
	return sub, msg, err
}

// createPortalLink makes a portal link and shows its URL this once.
func (c *Console) createPortalLink(w http.ResponseWriter, r *http.Request) {
	if c.deps.Links == nil {
		c.renderError(w, r, http.StatusNotFound, "This process serves no portal.")
		return
	}
	id := r.PathValue("id")
	sub, err := c.deps.Ops.Subscription(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	ttl, ok := c.linkTTL(r.PostFormValue("ttl"))
	if !ok {
		c.renderError(w, r, http.StatusBadRequest, "ttl: must be a duration like 24h, at most "+c.cfg.PortalLinkMaxTTL.String())
		return
	}
	ln, token, err := c.deps.Links.Create(r.Context(), id, ttl)
	if err != nil {
		c.renderError(w, r, http.StatusServiceUnavailable, "Recording the link in Kafka failed; retry.")
		return
	}
	v := c.consoleView(r, "Subscription "+id)
	v.Flash = "Portal link created, valid until " + ln.ExpiresAt.Format(time.RFC3339) + ". Copy it now: it is shown this once."
	v.Data = subView{Sub: sub, Base: "/console/subscriptions/" + id, NewLink: c.baseURL(r) + "/portal/open/" + token, Links: c.deps.Links.List(id)}
	c.render(w, r, http.StatusOK, "subscription", v)
}

func (c *Console) revokePortalLink(w http.ResponseWriter, r *http.Request) {
	c.act(w, r, "revoked", func() error {
		if c.deps.Links == nil {
			return ErrLinkNotFound
		}
		return c.deps.Links.Revoke(r.Context(), r.PathValue("id"), r.PathValue("linkId"))
	})
}
