package console

import (
	"net/http"
)

// portalRoutes are the subscriber portal's: everything is under
// /portal/s/{id}/, and {id} must be the link's own subscription.
func (c *Console) portalRoutes() []route {
	p := func(rt route) route { rt.portal = true; return rt }
	return []route{
		p(get("/portal/open/{token}", public, c.openPortal)),
		p(get("/portal/s/{id}/{$}", page, c.portalHome)),
		p(get("/portal/s/{id}/attempts", page, c.portalAttempts)),
		p(get("/portal/s/{id}/dead-letters", page, c.portalDeadLetters)),
		p(post("/portal/s/{id}/dead-letters/redrive", c.portalRedrive)),
		p(post("/portal/s/{id}/rotate", c.portalRotate)),
		p(post("/portal/s/{id}/test", c.portalTest)),
		p(post("/portal/s/{id}/signout", c.portalSignout)),
	}
}

func portalBase(id string) string { return "/portal/s/" + id }

// portalHome is the subscription's own page: endpoint, event types and
// the actions a subscriber may take.
func (c *Console) portalHome(w http.ResponseWriter, r *http.Request) {
	c.portalSubscription(w, r, "", "")
}

func (c *Console) portalSubscription(w http.ResponseWriter, r *http.Request, flash, secret string) {
	id := linkOf(r).Subscription
	sub, err := c.deps.Ops.Subscription(r.Context(), id)
	if err != nil {
		c.portalFail(w, r, err)
		return
	}
	v := c.portalView(r, "Subscription "+id)
	v.Flash = flash
	if flash == "" {
		v.Flash = redriveNotice(r)
	}
	v.Data = subView{Sub: sub, Base: portalBase(id), Secret: secret, Portal: true, Recent: c.recentAttempts(r, id)}
	c.render(w, r, http.StatusOK, "subscription", v)
}

func (c *Console) portalAttempts(w http.ResponseWriter, r *http.Request) {
	id := linkOf(r).Subscription
	d, err := c.attemptsData(r, id, portalBase(id))
	c.showAttempts(w, r, c.portalView(r, "Attempts of "+id), d, err)
}

func (c *Console) portalDeadLetters(w http.ResponseWriter, r *http.Request) {
	id := linkOf(r).Subscription
	d, err := c.deadLettersData(r, id, portalBase(id))
	v := c.portalView(r, "Dead letters of "+id)
	v.Flash = redriveNotice(r)
	c.showDeadLetters(w, r, v, d, err)
}

func (c *Console) portalRedrive(w http.ResponseWriter, r *http.Request) {
	id := linkOf(r).Subscription
	c.doRedrive(w, r, id, portalBase(id))
}

func (c *Console) portalRotate(w http.ResponseWriter, r *http.Request) {
	rot, err := c.deps.Ops.RotateSecret(r.Context(), linkOf(r).Subscription)
	if err != nil {
		c.portalFail(w, r, err)
		return
	}
	c.portalSubscription(w, r, "Rotated. The new secret is shown this once; the old one keeps signing for its grace period.", rot.Secret)
}

func (c *Console) portalTest(w http.ResponseWriter, r *http.Request) {
	_, msg, err := c.ping(r)
	if err != nil {
		c.portalFail(w, r, err)
		return
	}
	c.portalSubscription(w, r, msg, "")
}

// portalFail is fail on a portal page (its navigation, not the console's).
func (c *Console) portalFail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	v := c.portalView(r, http.StatusText(status))
	v.Error = msg
	c.render(w, r, status, "error", v)
}
