package console

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/engagehub/engagehub/pkg/ops"
)

// deadLettersView is the dead-letters page of one subscription.
type deadLettersView struct {
	Base string
	Sub  string
	Page ops.DeadLetterPage
}

func (c *Console) deadLettersData(r *http.Request, id, base string) (deadLettersView, error) {
	limit := 100
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return deadLettersView{Base: base, Sub: id}, &ops.Malformed{Field: "limit", Message: "must be an integer"}
		}
		limit = n
	}
	page, err := c.deps.Ops.DeadLetters(r.Context(), ops.DeadLetterQuery{Subscription: id, Limit: limit})
	return deadLettersView{Base: base, Sub: id, Page: page}, err
}

// deadLettersPage lists a subscription's dead letters (console).
func (c *Console) deadLettersPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	d, err := c.deadLettersData(r, id, "/console/subscriptions/"+id)
	v := c.consoleView(r, "Dead letters of "+id)
	v.Flash = redriveNotice(r)
	c.showDeadLetters(w, r, v, d, err)
}

func (c *Console) showDeadLetters(w http.ResponseWriter, r *http.Request, v view, d deadLettersView, err error) {
	status := http.StatusOK
	if err != nil {
		status, v.Error = statusOf(err)
	}
	v.Data = d
	c.render(w, r, status, "dead-letters", v)
}

// redriveRequest is the redrive form: all=1, or the ticked (or the one
// clicked) event ids.
func redriveRequest(r *http.Request) ops.RedriveRequest {
	if r.PostFormValue("all") != "" {
		return ops.RedriveRequest{All: true}
	}
	ids := append([]string{}, r.PostForm["event"]...)
	if one := r.PostFormValue("one"); one != "" {
		ids = []string{one}
	}
	return ops.RedriveRequest{EventIDs: ids}
}

// redrive puts dead letters back and returns to the dead-letters page.
func (c *Console) redrive(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c.doRedrive(w, r, id, "/console/subscriptions/"+id)
}

func (c *Console) doRedrive(w http.ResponseWriter, r *http.Request, id, base string) {
	res, err := c.deps.Ops.Redrive(r.Context(), id, redriveRequest(r))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/dead-letters?redriven=%d", base, res.Redriven), http.StatusSeeOther)
}

func redriveNotice(r *http.Request) string {
	n, err := strconv.Atoi(r.URL.Query().Get("redriven"))
	if err != nil {
		return ""
	}
	return fmt.Sprintf("Redriven %d dead letter(s): they are back on the delivery topic with their attempts reset.", n)
}
