package console

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
)

//go:embed templates/*.html
var templateFS embed.FS

// view is what every page template gets.
type view struct {
	Title string
	// CSRF is the token the page's forms carry.
	CSRF string
	// Nav is "console", "portal" or "" (sign-in, errors).
	Nav string
	// Portal is the subscription a portal page belongs to.
	Portal string
	// Flash is a one-time notice (e.g. a secret shown once); Error a problem.
	Flash, Error string
	Data         any
}

// pages are the parsed templates, one set per page (each with the layout).
type pages struct{ sets map[string]*template.Template }

func mustParsePages() *pages {
	layout := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		p.sets[base] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return p
}

var funcs = template.FuncMap{
	"when":    when,
	"ms":      func(d float64) string { return fmt.Sprintf("%.1f ms", d) },
	"pct":     func(f float64) string { return fmt.Sprintf("%.1f%%", f*100) },
	"rate":    func(f float64) string { return fmt.Sprintf("%.1f/s", f) },
	"join":    strings.Join,
	"list":    func(v ...string) []string { return v },
	"pretty":  pretty,
	"outcome": outcomeClass,
	"dur":     func(d time.Duration) string { return d.Round(time.Second).String() },
	"has": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
}

// render writes page name (the layout around it) with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	c.execute(w, status, name, "layout", v)
}

// renderFragment writes one named template of page name, without the layout.
func (c *Console) renderFragment(w http.ResponseWriter, status int, name, fragment string, v view) {
	c.execute(w, status, name, fragment, v)
}

func (c *Console) execute(w http.ResponseWriter, status int, name, tmpl string, v view) {
	var buf bytes.Buffer
	set, ok := c.pages.sets[name]
	if !ok {
		c.deps.Log.Error("console: no template", zap.String("template", name))
		http.Error(w, "console: no template "+name, http.StatusInternalServerError)
		return
	}
	if err := set.ExecuteTemplate(&buf, tmpl, v); err != nil {
		c.deps.Log.Error("console: render page", zap.String("template", name), zap.Error(err))
		http.Error(w, "console: render "+name, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows a page with only a message.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	c.render(w, r, status, "error", view{Title: http.StatusText(status), Error: msg})
}

// when formats a time.Time or *time.Time; zero or nil is "—".
func when(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	}
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// pretty indents JSON for a <pre>; anything else is shown as it is.
func pretty(raw []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, raw, "", "  ") != nil {
		return string(raw)
	}
	return buf.String()
}
