#!/usr/bin/env bash
# Installs the frontend's npm packages exactly as package-lock.json pins them, once per
# lock-file change; and the API reference's renderer for /docs (one pinned file, checked).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cd "$here/../../frontend"
command -v npm >/dev/null || { echo "Node.js and npm are required (Node 20+)" >&2; exit 1; }
stamp=node_modules/.yichuang-lock-sha
want=$(sha256sum package-lock.json | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> npm ci (frontend packages)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

# Scalar's standalone bundle is one self-contained file; installing the package would pull
# in ~290 packages the page never loads, so only its tarball is fetched.
docs=node_modules/.yichuang-docs
if [ ! -f "$docs/scalar-$SCALAR_VERSION.js" ]; then
  echo "==> fetching the API reference renderer (@scalar/api-reference $SCALAR_VERSION)"
  tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@scalar/api-reference@$SCALAR_VERSION" >/dev/null && tar -xzf ./*.tgz package/dist/browser/standalone.js)
  got=$(openssl dgst -sha384 -binary "$tmp/package/dist/browser/standalone.js" | base64 -w0)
  [ "$got" = "$SCALAR_SHA384" ] || { echo "@scalar/api-reference $SCALAR_VERSION: sha384 $got, want $SCALAR_SHA384" >&2; exit 1; }
  mkdir -p "$docs"
  mv "$tmp/package/dist/browser/standalone.js" "$docs/scalar-$SCALAR_VERSION.js"
fi
