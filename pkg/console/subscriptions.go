package console

import (
	"net/http"
	"strings"

	"github.com/engagehub/engagehub/pkg/ops"
	"github.com/engagehub/engagehub/pkg/subscription"
)

// subscriptionsPage lists every subscription.
func (c *Console) subscriptionsPage(w http.ResponseWriter, r *http.Request) {
	subs, err := c.deps.Ops.Subscriptions(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := c.consoleView(r, "Subscriptions")
	v.Flash = notice(r)
	rows := make([]subRow, len(subs))
	for i, s := range subs {
		rows[i] = rowOf(s)
	}
	v.Data = rows
	c.render(w, r, http.StatusOK, "subscriptions", v)
}

// newSubscriptionPage is the empty create form.
func (c *Console) newSubscriptionPage(w http.ResponseWriter, r *http.Request) {
	sub := subscription.Subscription{Enabled: true, Ordering: subscription.OrderingKey,
		Destination: subscription.Destination{Type: subscription.DestinationWebhook}}
	c.showForm(w, r, http.StatusOK, formOf(sub, c.catalogTypes(r)), "")
}

func (c *Console) showForm(w http.ResponseWriter, r *http.Request, status int, f subForm, problem string) {
	title := "New subscription"
	if f.Editing {
		title = "Edit " + f.ID
	}
	v := c.consoleView(r, title)
	v.Error, v.Data = problem, f
	c.render(w, r, status, "subscription-form", v)
}

// createSubscription stores the posted form and shows the new
// subscription with its signing secret, this once.
func (c *Console) createSubscription(w http.ResponseWriter, r *http.Request) {
	f := postedForm(r, c.catalogTypes(r))
	sub, err := f.subscription(subscription.Subscription{})
	if err == nil {
		var created ops.WithSecret
		created, err = c.deps.Ops.CreateSubscription(r.Context(), sub)
		if err == nil {
			c.showSubscription(w, r, created.Subscription, "Created. Its signing secret is shown this once: "+created.Secret, created.Secret)
			return
		}
	}
	status, msg := statusOf(err)
	c.showForm(w, r, status, f, msg)
}

// editSubscriptionPage is the form over the stored subscription.
func (c *Console) editSubscriptionPage(w http.ResponseWriter, r *http.Request) {
	sub, err := c.deps.Ops.Subscription(r.Context(), r.PathValue("id"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := formOf(sub, c.catalogTypes(r))
	f.Editing = true
	c.showForm(w, r, http.StatusOK, f, "")
}

// updateSubscription replaces the subscription with the posted form over
// the stored one.
func (c *Console) updateSubscription(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	stored, err := c.deps.Ops.Subscription(r.Context(), id)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	f := postedForm(r, c.catalogTypes(r))
	f.ID, f.Editing = id, true
	sub, err := f.subscription(stored)
	if err == nil {
		if _, err = c.deps.Ops.UpdateSubscription(r.Context(), id, sub); err == nil {
			http.Redirect(w, r, "/console/subscriptions/"+id+"?notice=updated", http.StatusSeeOther)
			return
		}
	}
	status, msg := statusOf(err)
	c.showForm(w, r, status, f, msg)
}

// catalogTypes are the catalog's event types, for the form's checkboxes.
func (c *Console) catalogTypes(r *http.Request) []string {
	var out []string
	for _, t := range c.deps.Ops.EventTypes(r.Context()) {
		out = append(out, string(t.Type))
	}
	return out
}

// subRow is one line of the subscriptions list, formatted.
type subRow struct {
	ID, Description, Destination, EventTypes, DisabledReason string
	Webhook, Enabled                                         bool
}

func rowOf(s subscription.Subscription) subRow {
	row := subRow{ID: s.ID, Description: s.Description, EventTypes: strings.Join(s.EventTypes, ", "),
		DisabledReason: s.DisabledReason, Webhook: s.Destination.IsWebhook(), Enabled: s.Enabled, Destination: s.Destination.URL}
	if !row.Webhook {
		row.Destination = s.Destination.Topic + " (" + s.Destination.Format + ")"
	}
	return row
}
