package server

import (
	"io/fs"
	"net/http"
)

// The API reference at /docs: huma's own page loads its renderer from unpkg.com, which a
// county's intranet often cannot reach, so the same renderer (Scalar, the version and
// subresource hash huma names; infra/scripts/versions.env) is built into the frontend's
// assets as docs/scalar.js and served from this binary.
const referenceHTML = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>一窗 Yichuang API 参考 / Reference</title>
  </head>
  <body>
    <script id="api-reference" data-url="/openapi.json"></script>
    <script src="/docs/scalar.js"></script>
  </body>
</html>`

// referencePolicy loosens the app's policy only as far as the renderer needs (it evaluates
// generated code and sets inline styles; huma's page allows the same), and still loads
// nothing from anywhere but this origin.
const referencePolicy = "default-src 'none'; base-uri 'none'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; " +
	"img-src 'self' data:; font-src 'self' data:; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'"

func apiReference(assets fs.FS) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if assets == nil {
			http.Error(w, "前端尚未构建：请运行 make frontend。The frontend (which carries the API reference's renderer) has not been built: run make frontend.", http.StatusServiceUnavailable)
			return
		}
		if _, err := fs.Stat(assets, "docs/scalar.js"); err != nil {
			http.Error(w, "API 参考页的渲染脚本缺失：请运行 infra/scripts/frontend-deps.sh 后重新构建。The API reference's renderer is missing: run infra/scripts/frontend-deps.sh and rebuild.", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Security-Policy", referencePolicy)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(referenceHTML))
	}
}
