// Package frontend carries the built single-page app so the yichuang binary serves the UI
// and the API from one origin (Kratos session cookies then need no cross-site setup).
package frontend

import (
	"embed"
	"io/fs"
)

// dist holds `vite build` output under dist/app; dist/.gitkeep keeps the embed pattern
// valid on a fresh clone before the first frontend build.
//
//go:embed all:dist
var dist embed.FS

// Assets returns the built app, or nil when the frontend has not been built yet.
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist/app")
	if err != nil {
		return nil
	}
	if _, err := fs.Stat(sub, "index.html"); err != nil {
		return nil
	}
	return sub
}
