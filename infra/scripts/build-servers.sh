#!/usr/bin/env bash
# Builds the pinned Ory Kratos and MinIO servers from the Go module proxy, once per
# machine. Neither ships a usable prebuilt binary here (Kratos' replace directives break
# `go install`; MinIO publishes community builds as source only), and each build takes
# minutes, so the binaries are cached outside the work tree: a fresh clone (CI) reuses them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

cache=${YC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/yichuang/tools}
mkdir -p "$cache"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local

kratos_bin="$cache/kratos-$KRATOS_VERSION"
if [ ! -x "$kratos_bin" ]; then
  echo "==> building Ory Kratos $KRATOS_VERSION (first time only, several minutes)"
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
  src=$(GOFLAGS= go mod download -json "github.com/ory/kratos@$KRATOS_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  cp -r "$src" "$work/kratos"
  chmod -R u+w "$work/kratos"
  cd "$work/kratos"
  # The module replaces its SDK with an in-tree copy the proxy's zip does not carry;
  # the published SDK of the matching generation serves the same purpose.
  go mod edit -replace "github.com/ory/client-go=github.com/ory/client-go@$KRATOS_CLIENT_GO_REPLACE"
  go mod tidy >/dev/null 2>&1 || true
  go build -trimpath -ldflags "-s -w -X github.com/ory/kratos/driver/config.Version=$KRATOS_VERSION" -o "$kratos_bin.tmp" .
  mv "$kratos_bin.tmp" "$kratos_bin"
  cd - >/dev/null
fi

minio_bin="$cache/minio-$MINIO_VERSION"
if [ ! -x "$minio_bin" ]; then
  echo "==> building MinIO $MINIO_VERSION (first time only, several minutes)"
  GOBIN="$cache/minio-gobin" GOFLAGS= go install -trimpath -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"
  mv "$cache/minio-gobin/minio" "$minio_bin"
  rmdir "$cache/minio-gobin" 2>/dev/null || true
fi
echo "$cache"
