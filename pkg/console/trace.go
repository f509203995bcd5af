package console

import (
	"net/http"
	"strings"

	"github.com/engagehub/engagehub/pkg/ops"
)

// traceView is the trace page: the query and where its events went.
type traceView struct {
	Query string
	Trace ops.Trace
	Asked bool
}

// tracePage follows an event id or a contact id (?q=) to its topic, its
// fan-out copies and every attempt per subscription.
func (c *Console) tracePage(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	v := c.consoleView(r, "Trace")
	d := traceView{Query: q, Asked: q != ""}
	status := http.StatusOK
	if q != "" {
		tq := ops.TraceQuery{ContactID: q}
		if r.URL.Query().Get("by") != "contact" {
			tq = ops.TraceQuery{EventID: q}
		}
		var err error
		if d.Trace, err = c.deps.Ops.Trace(r.Context(), tq); err != nil {
			status, v.Error = statusOf(err)
		}
	}
	v.Data = d
	c.render(w, r, status, "trace", v)
}
