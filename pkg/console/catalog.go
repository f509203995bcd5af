package console

import (
	"fmt"
	"net/http"

	"github.com/engagehub/engagehub/pkg/event"
)

// catalogPage lists the event types.
func (c *Console) catalogPage(w http.ResponseWriter, r *http.Request) {
	v := c.consoleView(r, "Event catalog")
	v.Data = c.deps.Ops.EventTypes(r.Context())
	c.render(w, r, http.StatusOK, "event-types", v)
}

// eventTypePage shows one type's schema, example and topic.
func (c *Console) eventTypePage(w http.ResponseWriter, r *http.Request) {
	et, err := c.deps.Ops.EventType(r.Context(), r.PathValue("type"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := c.consoleView(r, string(et.Type))
	v.Flash = r.URL.Query().Get("sent")
	if v.Flash != "" {
		v.Flash = "Sample event " + v.Flash + " published to " + et.Topic + "."
	}
	v.Data = et
	c.render(w, r, http.StatusOK, "event-type", v)
}

// sendSample publishes the type's example as a new event from "console".
func (c *Console) sendSample(w http.ResponseWriter, r *http.Request) {
	t := r.PathValue("type")
	res, err := c.deps.Ops.PublishSample(r.Context(), event.Type(t), "console")
	if err != nil {
		c.fail(w, r, err)
		return
	}
	id := ""
	if len(res.Events) > 0 {
		id = res.Events[0].EventID
	}
	http.Redirect(w, r, fmt.Sprintf("/console/event-types/%s?sent=%s", t, id), http.StatusSeeOther)
}
