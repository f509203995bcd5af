package console

import (
	"embed"
	"net/http"
	"path"
)

//go:embed assets/*
var assetFS embed.FS

// assetTypes are the content types of the files under assets/.
var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".png": "image/png",
}

// asset serves one embedded file; they hold no secret and need no session.
func (c *Console) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	body, err := assetFS.ReadFile("assets/" + name)
	ctype, known := assetTypes[path.Ext(name)]
	if err != nil || !known {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}
