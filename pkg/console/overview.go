package console

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
)

// overviewRow is one subscription on the overview, its figures formatted
// (a thousand rows render without a template call per cell).
type overviewRow struct {
	ID                                            string
	Enabled                                       bool
	Disabled                                      string // why the system disabled it, if it did
	Failing                                       bool   // failed attempts in the window
	Open                                          bool   // circuit not closed
	Delivered, Failed, Success, Lag, P99, Circuit string
}

func (row *overviewRow) set(st SubStats) {
	row.Delivered, row.Failed = fmt.Sprintf("%.1f/s", st.Delivered), fmt.Sprintf("%.1f/s", st.Failed)
	row.Success, row.P99 = "—", "—"
	if st.Success >= 0 {
		row.Success = fmt.Sprintf("%.1f%%", st.Success*100)
	}
	if st.P99 >= 0 {
		row.P99 = fmt.Sprintf("%.1f ms", st.P99)
	}
	row.Lag, row.Circuit = strconv.FormatFloat(st.Lag, 'f', 0, 64), st.Circuit
	row.Failing, row.Open = st.Failed > 0, st.Circuit != "closed"
}

type overviewData struct {
	Rows   []overviewRow
	Topics []TopicStats
}

func (c *Console) overviewData(r *http.Request) overviewData {
	stats, topics := c.rates.current()
	rows := c.overviewSubscriptions(r)
	for i := range rows {
		st, ok := stats[rows[i].ID]
		if !ok {
			st = SubStats{Success: -1, P99: -1, Circuit: "closed"}
		}
		rows[i].set(st)
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
