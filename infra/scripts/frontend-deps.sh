#!/usr/bin/env bash
# Installs the frontend's npm packages exactly as package-lock.json pins them, once per
# lock-file change.
set -euo pipefail
cd "$(dirname "$0")/../../frontend"
command -v npm >/dev/null || { echo "Node.js and npm are required (Node 20+)" >&2; exit 1; }
stamp=node_modules/.yichuang-lock-sha
want=$(sha256sum package-lock.json | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> npm ci (frontend packages)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi
