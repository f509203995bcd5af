package console

import (
	"net/http"
	"sort"
)

// overviewRow is one subscription on the overview.
type overviewRow struct {
	ID       string
	Enabled  bool
	Disabled string // why the system disabled it, if it did
	SubStats
}

type overviewData struct {
	Rows   []overviewRow
	Topics []TopicStats
}

func (c *Console) overviewData(r *http.Request) overviewData {
	stats, topics := c.rates.current()
	var rows []overviewRow
	for _, s := range c.overviewSubscriptions(r) {
		st, ok := stats[s.ID]
		if !ok {
			st = SubStats{Success: -1, P99: -1, Circuit: "closed"}
		}
		s.SubStats = st
		rows = append(rows, s)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return overviewData{Rows: rows, Topics: topics}
}

// overview is the console's first page: every subscription's delivery
// figures and the event topics', live.
func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	v := c.consoleView(r, "Overview")
	v.Data = c.overviewData(r)
	c.render(w, r, http.StatusOK, "overview", v)
}

// overviewFragment is the overview's tables alone, for live.js.
func (c *Console) overviewFragment(w http.ResponseWriter, r *http.Request) {
	v := c.consoleView(r, "Overview")
	v.Data = c.overviewData(r)
	c.renderFragment(w, http.StatusOK, "overview", "overview-tables", v)
}

// consoleView is the view of a console page in r's session.
func (c *Console) consoleView(r *http.Request, title string) view {
	return view{Title: title, Nav: "console", CSRF: sessionOf(r).csrf}
}

// overviewSubscriptions are the rows' subscriptions (none when the store
// cannot be read: the figures still show).
func (c *Console) overviewSubscriptions(r *http.Request) []overviewRow {
	subs, err := c.deps.Ops.Subscriptions(r.Context())
	if err != nil {
		return nil
	}
	rows := make([]overviewRow, 0, len(subs))
	for _, s := range subs {
		rows = append(rows, overviewRow{ID: s.ID, Enabled: s.Enabled, Disabled: s.DisabledReason})
	}
	return rows
}
