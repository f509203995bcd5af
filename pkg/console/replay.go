package console

import (
	"net/http"

	"github.com/engagehub/engagehub/pkg/ops"
)

// replayPage is the form to replay a subscription's events since a time.
func (c *Console) replayPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := c.deps.Ops.Subscription(r.Context(), id); err != nil {
		c.fail(w, r, err)
		return
	}
	v := c.consoleView(r, "Replay "+id)
	v.Data = id
	c.render(w, r, http.StatusOK, "replay", v)
}

// startReplay starts a replay job and shows its progress page.
func (c *Console) startReplay(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	since, err := parseWhen("since", r.PostFormValue("since"))
	if err == nil && since.IsZero() {
		err = &ops.Malformed{Field: "since", Message: "is required"}
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	job, err := c.deps.Ops.Replay(r.Context(), id, since)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/replays/"+job.ID, http.StatusSeeOther)
}

// replayView is a replay job's progress.
type replayView struct {
	Job ops.ReplayJob
	// Percent is done/total in [0, 100].
	Percent int
}

func viewReplay(job ops.ReplayJob) replayView {
	p := 0
	switch {
	case job.Finished && job.Error == "":
		p = 100
	case job.Total > 0:
		p = int(100 * job.Done / job.Total)
	}
	return replayView{Job: job, Percent: min(p, 100)}
}

// replayProgress shows a replay job until it is done (live with
// JavaScript, a meta refresh without).
func (c *Console) replayProgress(w http.ResponseWriter, r *http.Request) {
	job, err := c.deps.Ops.ReplayStatus(r.Context(), r.PathValue("job"))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	v := c.consoleView(r, "Replay of "+job.Subscription)
	v.Data = viewReplay(job)
	c.render(w, r, http.StatusOK, "replay-progress", v)
}

// replayFragment is the progress part alone, for live.js.
func (c *Console) replayFragment(w http.ResponseWriter, r *http.Request) {
	job, err := c.deps.Ops.ReplayStatus(r.Context(), r.PathValue("job"))
	if err != nil {
		status, msg := statusOf(err)
		http.Error(w, msg, status)
		return
	}
	v := c.consoleView(r, "")
	v.Data = viewReplay(job)
	c.renderFragment(w, http.StatusOK, "replay-progress", "progress", v)
}
